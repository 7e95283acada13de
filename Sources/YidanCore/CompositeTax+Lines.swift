public import Foundation

/// One declared goods line as customs sees it on an inventory (CEB621
/// `InventoryList`): enough to tax it without the order behind it.
public struct TaxableLine: Sendable, Equatable {
    public var gcode: String
    public var qty: Decimal
    public var totalPrice: Decimal

    public init(gcode: String, qty: Decimal, totalPrice: Decimal) {
        self.gcode = gcode
        self.qty = qty
        self.totalPrice = totalPrice
    }
}

extension CompositeTax {
    /// The composite tax of declared lines plus freight and insurance, the way
    /// customs levies it on an inventory: the same apportionment, per-item
    /// rounding and full-rate rule as `compute(order:rates:annualUsedBefore:)`.
    ///
    /// The buyer's annual total is not known here (customs keeps it elsewhere),
    /// and it only decides eligibility, never an amount, so it is not checked.
    public static func compute(lines: [TaxableLine], freight: Decimal, insurance: Decimal, rates: TaxRateTable) throws -> OrderTax {
        guard !lines.isEmpty else { throw YidanError(.invalidOrder, "the inventory has no goods lines") }
        let itemRates = try taxRates(of: lines, in: rates)

        let goods = lines.reduce(Decimal(0)) { $0 + $1.totalPrice }
        let dutiable = goods + freight + insurance
        let fullRate = dutiable > perOrderLimit && lines.count == 1 && lines[0].qty == 1
        if dutiable > perOrderLimit && !fullRate {
            throw YidanError(.notEligible, "dutiable value \(Money.format(dutiable, minScale: 2)) is over the per-order limit and not a single indivisible item")
        }
        return itemize(lines, rates: itemRates, freightAndInsurance: freight + insurance, dutiable: dutiable, fullRate: fullRate)
    }
}
