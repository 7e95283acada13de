public import Foundation
public import YidanCore

/// What yidan knows of an order without asking anyone: enough to describe its
/// goods' journey, and nothing personal (no buyer, consignee, ID, phone or address).
public struct TracedOrder: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var sku: String
        /// GTIN from the item's barcode (8, 12, 13 or 14 digits); nil or invalid → the SKU names the class.
        public var gtin: String?
        public var quantity: Decimal
        public init(sku: String, gtin: String?, quantity: Decimal) {
            self.sku = sku
            self.gtin = gtin
            self.quantity = quantity
        }
    }

    public var orderNo: String
    public var waybillNo: String?
    /// The customs inventory's number (invtNo) once known, else its copNo.
    public var inventoryNo: String?
    /// 4-digit customs office and port codes: places at city level.
    public var customsCode: String
    public var portCode: String
    public var items: [Item]

    public init(orderNo: String, waybillNo: String?, inventoryNo: String?, customsCode: String, portCode: String, items: [Item]) {
        self.orderNo = orderNo
        self.waybillNo = waybillNo
        self.inventoryNo = inventoryNo
        self.customsCode = customsCode
        self.portCode = portCode
        self.items = items
    }
}

/// The EPCIS events yidan records itself, linked by business transaction
/// (order, waybill, customs inventory).
public enum CommerceEvents {
    public enum Step: String, Sendable, CaseIterable {
        case sale, shipped, customsDeclared = "customs-declared", customsInspected = "customs-inspected"
        case customsReleased = "customs-released", returned
    }

    /// Namespace of yidan's extension fields (`yidan:sku`).
    public static let namespacePrefix = "yidan"
    public static let namespaceURI = "https://yidan.dev/ns/epcis/"
    public static let customsLocationPrefix = "urn:yidan:customs:"
    public static let portLocationPrefix = "urn:yidan:port:"

    public static func event(_ step: Step, order: TracedOrder, at time: ZonedDateTime) -> EPCISEvent {
        var event = EPCISEvent(kind: .object, eventTime: time)
        event.action = .observe
        event.quantityList = order.items.map { item in
            QuantityElement(epcClass: productClass(item), quantity: item.quantity)
        }
        // The SKU rides along when a GTIN names the class, so a trace by SKU finds it.
        let skus = order.items.filter { gtinLink($0.gtin) != nil }.map(\.sku)
        if !skus.isEmpty {
            event.namespaces[namespacePrefix] = namespaceURI
            event.extensions.append((namespacePrefix + ":sku", .array(skus.map { .string($0) })))
        }
        var transactions = [TypedReference(type: "po", value: TraceKey.orderPrefix + order.orderNo)]
        if step != .sale, let waybill = order.waybillNo {
            transactions.append(TypedReference(type: "bol", value: TraceKey.waybillPrefix + waybill))
        }
        if [.customsDeclared, .customsInspected, .customsReleased, .returned].contains(step), let inventory = order.inventoryNo {
            transactions.append(TypedReference(type: "urn:yidan:btt:customs_inventory", value: TraceKey.inventoryPrefix + inventory))
        }
        event.bizTransactionList = transactions
        let (bizStep, disposition) = vocabulary[step] ?? ("other", "unknown")
        event.bizStep = bizStep
        event.disposition = disposition
        // Places at city level only: the customs office and the port, never an address.
        if step != .sale { event.bizLocation = portLocationPrefix + order.portCode }
        if step != .sale && step != .shipped { event.readPoint = customsLocationPrefix + order.customsCode }
        return event
    }

    /// CBV bizStep and disposition of each step; customs steps the CBV has no
    /// term for use yidan's URIs (labelled in Mappings/tables/cbv-vocabulary.csv).
    static let vocabulary: [Step: (bizStep: String, disposition: String)] = [
        .sale: ("retail_selling", "retail_sold"),
        .shipped: ("shipping", "in_transit"),
        .customsDeclared: ("urn:yidan:bizstep:customs_declared", "in_progress"),
        .customsInspected: ("inspecting", "in_progress"),
        .customsReleased: ("urn:yidan:bizstep:customs_released", "in_transit"),
        .returned: ("receiving", "returned"),
    ]

    /// The bizStep an automatic step is recorded under.
    public static func bizStep(_ step: Step) -> String { vocabulary[step]?.bizStep ?? "other" }

    /// `https://id.gs1.org/01/{gtin14}` for a valid GTIN, else `urn:yidan:sku:{sku}`.
    public static func productClass(_ item: TracedOrder.Item) -> String {
        gtinLink(item.gtin) ?? TraceKey.skuPrefix + item.sku
    }

    static func gtinLink(_ gtin: String?) -> String? {
        guard let gtin, gtin.allSatisfy({ $0.isASCII && $0.isNumber }), [8, 12, 13, 14].contains(gtin.count) else { return nil }
        return DigitalLink("https://id.gs1.org/01/" + gtin)?.classLink
    }
}
