public import Foundation

/// State of a customs tax bill (CEB816 `TaxHeadRd/status`).
public enum TaxBillStatus: String, Sendable, Equatable, CaseIterable {
    case issued = "1"
    case summarised = "2"
    /// Customs cancelled the bill; it levies nothing.
    case void = "3"
}

/// One item line of a customs tax bill (CEB816 `TaxListRd`).
public struct TaxBillItem: Sendable, Equatable {
    /// Item number from 1, the inventory's gnum (order item index + 1).
    public var gnum: Int
    public var gcode: String
    /// Dutiable value of the line.
    public var taxPrice: Decimal
    public var customsTax: Decimal
    public var valueAddedTax: Decimal
    public var consumptionTax: Decimal

    public init(gnum: Int, gcode: String, taxPrice: Decimal, customsTax: Decimal, valueAddedTax: Decimal, consumptionTax: Decimal) {
        self.gnum = gnum
        self.gcode = gcode
        self.taxPrice = taxPrice
        self.customsTax = customsTax
        self.valueAddedTax = valueAddedTax
        self.consumptionTax = consumptionTax
    }
}

/// The tax customs levies on one inventory (CEB816 `Tax`: `TaxHeadRd` + `TaxListRd`s).
public struct TaxBill: Sendable, Equatable {
    public var guid: String
    public var taxNo: String
    /// The inventory number: CEB816's only link to the order.
    public var invtNo: String
    /// CEB816 carries no order number; nil from the parser, set by a caller that
    /// has looked the inventory up, so the reconciliation can check it too.
    public var orderNo: String?
    public var status: TaxBillStatus
    /// YYYYMMDDhhmmssSSS as customs wrote it (customs' local time, +08:00).
    public var returnTime: String
    public var customsTax: Decimal
    public var valueAddedTax: Decimal
    public var consumptionTax: Decimal
    public var assureCode: String?
    public var items: [TaxBillItem]

    public var total: Decimal { customsTax + valueAddedTax + consumptionTax }

    public init(
        guid: String, taxNo: String, invtNo: String, orderNo: String? = nil, status: TaxBillStatus, returnTime: String,
        customsTax: Decimal, valueAddedTax: Decimal, consumptionTax: Decimal, assureCode: String? = nil, items: [TaxBillItem]
    ) {
        self.guid = guid
        self.taxNo = taxNo
        self.invtNo = invtNo
        self.orderNo = orderNo
        self.status = status
        self.returnTime = returnTime
        self.customsTax = customsTax
        self.valueAddedTax = valueAddedTax
        self.consumptionTax = consumptionTax
        self.assureCode = assureCode
        self.items = items
    }
}
