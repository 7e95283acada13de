public import Foundation
public import YidanCore
import YidanXML

/// The electronic tax bill (CEB816) customs issues once an inventory is
/// released: one `Tax` whose head and items carry the tax customs levies.
///
/// The simulator has no order, only the declared inventory, so it taxes the
/// declared lines (HS code, quantity, total) plus the declared freight and
/// insurance with the same composite-tax rules yidan withholds by
/// (`CompositeTax.compute(lines:…)`); the bill then agrees with yidan unless a
/// deliberate variance is asked for.
public struct TaxBillDocument: Sendable {
    /// The bill's own guid (CEB816 root `guid` and `TaxHeadRd/guid`).
    public var guid: String
    public var invtNo: String
    public var taxNo: String
    public var inventory: DeclaredMessage
    public var tax: OrderTax
    public var returnTime: ZonedDateTime
    /// Adds one fen to the first item's VAT (not to the head): the fault plan's
    /// `taxBillVariance`, so a reconciliation has a real difference to find.
    public var variance: Bool

    public init(guid: String, invtNo: String, taxNo: String, inventory: DeclaredMessage, tax: OrderTax, returnTime: ZonedDateTime, variance: Bool) {
        self.guid = guid
        self.invtNo = invtNo
        self.taxNo = taxNo
        self.inventory = inventory
        self.tax = tax
        self.returnTime = returnTime
        self.variance = variance
    }

    /// One fen, the variance added to the first item's VAT.
    public static let varianceAmount = Decimal(sign: .plus, exponent: -2, significand: 1)

    /// The tax customs computes from a declared inventory; nil when the
    /// inventory's lines or amounts cannot be read or its goods have no rate.
    public static func tax(of inventory: DeclaredMessage, rates: TaxRateTable) -> OrderTax? {
        guard !inventory.lines.isEmpty else { return nil }
        let freight = inventory.amount("freight") ?? 0
        let insurance = inventory.amount("insuredFee") ?? 0
        return try? CompositeTax.compute(lines: inventory.lines, freight: freight, insurance: insurance, rates: rates)
    }

    public func xml() -> Data {
        let ns = DeclaredMessage.cebNamespace
        let document = XMLDocument(rootName: "CEB816Message", namespaceURI: ns, prefix: nil)
        guard let root = document.root else { return Data() }
        root.setAttribute("guid", guid)
        root.setAttribute("version", "1.0")
        let bill = root.addChild("Tax", namespaceURI: ns, prefix: nil)
        let head = bill.addChild("TaxHeadRd", namespaceURI: ns, prefix: nil)
        func add(_ parent: XMLNode, _ name: String, _ value: String) {
            _ = parent.addChild(name, namespaceURI: ns, prefix: nil, text: value)
        }
        func money(_ value: Decimal) -> String { Money.format(value, minScale: 2) }
        let extra = variance ? Self.varianceAmount : 0
        add(head, "guid", guid)
        add(head, "returnTime", returnTime.format("yyyyMMddHHmmssSSS", inOffset: ZonedDateTime.beijingOffsetSeconds))
        add(head, "invtNo", invtNo)
        add(head, "taxNo", taxNo)
        add(head, "customsTax", money(tax.duty))
        add(head, "valueAddedTax", money(tax.vat))
        add(head, "consumptionTax", money(tax.consumptionTax))
        add(head, "status", "1")
        // Optional head fields, copied from the inventory when they fit the bill's types.
        if let assure = inventory["assureCode"], assure.count <= 64 { add(head, "assureCode", assure) }
        for name in ["ebcCode", "logisticsCode"] {
            if let value = inventory[name], value.count <= 64 { add(head, name, value) }
        }
        if let agent = inventory["agentCode"], agent.count <= 18 { add(head, "agentCode", agent) }
        if let customs = inventory["customsCode"], customs.count == 4 { add(head, "customsCode", customs) }
        for item in tax.items {
            let list = bill.addChild("TaxListRd", namespaceURI: ns, prefix: nil)
            add(list, "gnum", String(item.index + 1))
            add(list, "gcode", item.gcode)
            add(list, "taxPrice", money(item.dutiable))
            add(list, "customsTax", money(item.duty))
            add(list, "valueAddedTax", money(item.vat + (item.index == 0 ? extra : 0)))
            add(list, "consumptionTax", money(item.consumptionTax))
        }
        return document.serialized(pretty: true)
    }
}

extension DeclaredMessage {
    /// A goods line's HS code and quantity next to its (already read) total;
    /// nil when either is missing or the quantity is not a number.
    static func taxableLine(_ line: XMLNode, totalPrice: Decimal) -> TaxableLine? {
        func text(_ name: String) -> String? {
            let value = line.firstChild(name, namespaceURI: cebNamespace)?.trimmedText
            return value.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let gcode = text("gcode"), let qty = text("qty").flatMap(Money.parse) else { return nil }
        return TaxableLine(gcode: gcode, qty: qty, totalPrice: totalPrice)
    }
}
