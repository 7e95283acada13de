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
        var itemRates: [TaxRate] = []
        var issues: [FieldIssue] = []
        for (index, line) in lines.enumerated() {
            if let rate = rates.rate(forHSCode: line.gcode) {
                itemRates.append(rate)
            } else {
                issues.append(FieldIssue(pointer: "/items/\(index)/gcode", value: line.gcode, rule: "has no tax rate in the tax-rate table"))
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }

        let goods = lines.reduce(Decimal(0)) { $0 + $1.totalPrice }
        let dutiable = goods + freight + insurance
        let fullRate = dutiable > perOrderLimit && lines.count == 1 && lines[0].qty == 1
        if dutiable > perOrderLimit && !fullRate {
            throw YidanError(.notEligible, "dutiable value \(Money.format(dutiable, minScale: 2)) is over the per-order limit and not a single indivisible item")
        }
        let shares = apportion(freight + insurance, over: lines.map(\.totalPrice))
        var items: [ItemTax] = []
        for (index, line) in lines.enumerated() {
            let itemDutiable = line.totalPrice + shares[index]
            let rate = itemRates[index]
            let taxes = fullRate ? fullRateTaxes(itemDutiable, rate) : withinLimitsTaxes(itemDutiable, rate)
            items.append(ItemTax(
                index: index, gcode: line.gcode, rate: rate, dutiable: itemDutiable,
                duty: Money.round(taxes.duty), vat: Money.round(taxes.vat), consumptionTax: Money.round(taxes.consumption)
            ))
        }
        let duty = items.reduce(Decimal(0)) { $0 + $1.duty }
        let vat = items.reduce(Decimal(0)) { $0 + $1.vat }
        let consumption = items.reduce(Decimal(0)) { $0 + $1.consumptionTax }
        return OrderTax(
            dutiable: dutiable, duty: duty, vat: vat, consumptionTax: consumption, total: duty + vat + consumption,
            fullRate: fullRate, items: items, allowanceUse: dutiable
        )
    }
}
