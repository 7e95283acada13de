public import Foundation
public import YidanCore

/// What a difference between a customs tax bill and yidan's own tax is about.
public enum TaxBillField: String, Sendable, Equatable, CaseIterable {
    case invtNo, orderNo, status, gcode, item
    case taxPrice, customsTax, valueAddedTax, consumptionTax
}

/// One disagreement found by `TaxReconciliation`, field by field.
public struct TaxDifference: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Customs voided the bill (status 3): nothing to compare, the tax is not levied.
        case voidBill
        /// The bill is for another inventory or order than expected.
        case identity
        /// A head amount differs from yidan's order total.
        case headAmount
        /// An item amount or HS code differs from yidan's item.
        case itemValue
        /// The bill's head differs from the sum of its own items.
        case headVersusItems
        /// yidan has the item, the bill does not.
        case missingItem
        /// The bill has an item yidan does not (or the same gnum twice).
        case unexpectedItem
    }

    public var kind: Kind
    public var field: TaxBillField
    /// The item number (order item index + 1) for item-level differences.
    public var gnum: Int?
    /// What yidan expected and what the bill says, as text; amounts also as `Decimal`.
    public var expected: String
    public var billed: String
    public var expectedAmount: Decimal?
    public var billedAmount: Decimal?

    public init(
        kind: Kind, field: TaxBillField, gnum: Int? = nil, expected: String, billed: String,
        expectedAmount: Decimal? = nil, billedAmount: Decimal? = nil
    ) {
        self.kind = kind
        self.field = field
        self.gnum = gnum
        self.expected = expected
        self.billed = billed
        self.expectedAmount = expectedAmount
        self.billedAmount = billedAmount
    }

    static func amount(_ kind: Kind, _ field: TaxBillField, gnum: Int? = nil, expected: Decimal, billed: Decimal) -> TaxDifference {
        TaxDifference(
            kind: kind, field: field, gnum: gnum,
            expected: Money.format(expected, minScale: 2), billed: Money.format(billed, minScale: 2),
            expectedAmount: expected, billedAmount: billed
        )
    }

    public var description: String {
        let place = gnum.map { "item \($0) " } ?? ""
        return "\(kind) \(place)\(field.rawValue): expected \(expected), billed \(billed)"
    }
}

/// Compares the tax customs levies (CEB816) with the tax yidan computed and
/// withheld (`CompositeTax`). Pure: no store, no clock.
///
/// Matching is per order (inventory and, when known, order number) and per item
/// (the bill's gnum is yidan's item index + 1). Amounts compare as exact
/// decimals: customs and yidan both round each item tax to the fen, so any
/// difference, even 0.01, is real and reported.
public enum TaxReconciliation {
    /// - Parameters:
    ///   - gcodes: the HS code declared for each item (CEB621 order), by item index;
    ///     where it is shorter than the order, the code the tax was computed on is used.
    ///   - invtNo, orderNo: the identities yidan holds for the order, checked when given.
    public static func compare(
        bill: TaxBill, expected: OrderTax, gcodes: [String], invtNo: String? = nil, orderNo: String? = nil
    ) -> [TaxDifference] {
        var differences: [TaxDifference] = []
        if let invtNo, invtNo != bill.invtNo {
            differences.append(TaxDifference(kind: .identity, field: .invtNo, expected: invtNo, billed: bill.invtNo))
        }
        if let orderNo, let billed = bill.orderNo, orderNo != billed {
            differences.append(TaxDifference(kind: .identity, field: .orderNo, expected: orderNo, billed: billed))
        }
        if bill.status == .void {
            differences.append(TaxDifference(kind: .voidBill, field: .status, expected: "issued or summarised", billed: "void"))
            return differences
        }

        let head: [(TaxBillField, Decimal, Decimal)] = [
            (.customsTax, expected.duty, bill.customsTax),
            (.valueAddedTax, expected.vat, bill.valueAddedTax),
            (.consumptionTax, expected.consumptionTax, bill.consumptionTax),
        ]
        for (field, ours, theirs) in head where ours != theirs {
            differences.append(.amount(.headAmount, field, expected: ours, billed: theirs))
        }

        // The bill against itself: its head should be the sum of its items.
        let sums: [(TaxBillField, Decimal, Decimal)] = [
            (.customsTax, bill.items.reduce(Decimal(0)) { $0 + $1.customsTax }, bill.customsTax),
            (.valueAddedTax, bill.items.reduce(Decimal(0)) { $0 + $1.valueAddedTax }, bill.valueAddedTax),
            (.consumptionTax, bill.items.reduce(Decimal(0)) { $0 + $1.consumptionTax }, bill.consumptionTax),
        ]
        for (field, itemSum, headValue) in sums where itemSum != headValue {
            differences.append(.amount(.headVersusItems, field, expected: itemSum, billed: headValue))
        }

        differences += compareItems(bill: bill, expected: expected, gcodes: gcodes)
        return differences
    }

    static func compareItems(bill: TaxBill, expected: OrderTax, gcodes: [String]) -> [TaxDifference] {
        var differences: [TaxDifference] = []
        var billed: [Int: TaxBillItem] = [:]
        for item in bill.items {
            if billed[item.gnum] != nil {
                differences.append(TaxDifference(kind: .unexpectedItem, field: .item, gnum: item.gnum, expected: "one line", billed: "repeated"))
            } else {
                billed[item.gnum] = item
            }
        }
        for ours in expected.items {
            let gnum = ours.index + 1
            guard let theirs = billed.removeValue(forKey: gnum) else {
                differences.append(TaxDifference(kind: .missingItem, field: .item, gnum: gnum, expected: "present", billed: "absent"))
                continue
            }
            let gcode = ours.index < gcodes.count ? gcodes[ours.index] : ours.gcode
            if gcode != theirs.gcode {
                differences.append(TaxDifference(kind: .itemValue, field: .gcode, gnum: gnum, expected: gcode, billed: theirs.gcode))
            }
            let amounts: [(TaxBillField, Decimal, Decimal)] = [
                (.taxPrice, ours.dutiable, theirs.taxPrice),
                (.customsTax, ours.duty, theirs.customsTax),
                (.valueAddedTax, ours.vat, theirs.valueAddedTax),
                (.consumptionTax, ours.consumptionTax, theirs.consumptionTax),
            ]
            for (field, mine, theirs) in amounts where mine != theirs {
                differences.append(.amount(.itemValue, field, gnum: gnum, expected: mine, billed: theirs))
            }
        }
        for gnum in billed.keys.sorted() {
            differences.append(TaxDifference(kind: .unexpectedItem, field: .item, gnum: gnum, expected: "absent", billed: "present"))
        }
        return differences
    }
}
