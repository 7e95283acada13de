import Foundation

/// What the trace index files an event under, and how a consumer's ID maps to it.
///
/// Every key is `kind` + `value`:
/// - `epc`: an instance or class identifier, canonical Digital Link when it is a GS1 key;
/// - `gtin`: the 14-digit GTIN of any GS1 trade item identifier (class, lot or serial);
/// - `lot`, `serial`: `gtin/lot`, `gtin/serial`;
/// - `sku`: the merchant's SKU (from `urn:yidan:sku:{sku}` classes);
/// - `bt`: a business transaction as written; `order`, `waybill`, `inventory`: the
///   bare numbers of yidan's own transactions (`urn:yidan:order:{orderNo}`).
public struct TraceKey: Sendable, Hashable {
    public var kind: String
    public var value: String
    public init(_ kind: String, _ value: String) {
        self.kind = kind
        self.value = value
    }

    /// yidan's URNs for what it knows itself.
    public static let skuPrefix = "urn:yidan:sku:"
    public static let orderPrefix = "urn:yidan:order:"
    public static let waybillPrefix = "urn:yidan:waybill:"
    public static let inventoryPrefix = "urn:yidan:inventory:"

    static func keys(for event: EPCISEvent) -> Set<TraceKey> {
        var keys = Set<TraceKey>()
        for identifier in event.productIdentifiers {
            keys.formUnion(productKeys(identifier))
        }
        for (key, value) in event.extensions where key == CommerceEvents.namespacePrefix + ":sku"
            && event.namespaces[CommerceEvents.namespacePrefix] == CommerceEvents.namespaceURI {
            if case let .array(items) = value {
                for case let .string(sku) in items { keys.insert(TraceKey("sku", sku)) }
            }
        }
        for transaction in event.bizTransactionList {
            keys.insert(TraceKey("bt", transaction.value))
            for (prefix, kind) in [(orderPrefix, "order"), (waybillPrefix, "waybill"), (inventoryPrefix, "inventory")]
            where transaction.value.hasPrefix(prefix) {
                keys.insert(TraceKey(kind, String(transaction.value.dropFirst(prefix.count))))
            }
        }
        return keys
    }

    static func productKeys(_ identifier: String) -> Set<TraceKey> {
        let canonical = chainProduct(identifier)
        var keys: Set<TraceKey> = [TraceKey("epc", canonical)]
        if identifier.hasPrefix(skuPrefix) { keys.insert(TraceKey("sku", String(identifier.dropFirst(skuPrefix.count)))) }
        if let link = DigitalLink(canonical) {
            keys.insert(TraceKey("gtin", link.gtin))
            if let lot = link.lot { keys.insert(TraceKey("lot", link.gtin + "/" + lot)) }
            if let serial = link.serial { keys.insert(TraceKey("serial", link.gtin + "/" + serial)) }
        }
        return keys
    }

    /// The product an identifier names, for the hash chain: canonical Digital Link or the URI as written.
    public static func chainProduct(_ identifier: String) -> String {
        GS1Identifier.canonicalDigitalLink(identifier) ?? identifier
    }
}

/// A consumer's trace ID: a SKU, a GTIN with lot or serial, a GS1 Digital
/// Link, an EPC URN or an order number.
public enum TraceID: Sendable, Equatable {
    case digitalLink(DigitalLink)
    case uri(String)
    /// Bare text: a SKU, an order number, a waybill or inventory number, or a bare GTIN.
    case text(String)

    public init(_ raw: String) {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let link = DigitalLink(text) {
            self = .digitalLink(link)
        } else if text.hasPrefix("urn:"), let link = GS1Identifier.canonicalDigitalLink(text).flatMap(DigitalLink.init) {
            self = .digitalLink(link)
        } else if text.hasPrefix("urn:") || text.hasPrefix("http") {
            self = .uri(text)
        } else if let link = Self.gtinWithQualifier(text) {
            self = .digitalLink(link)
        } else {
            self = .text(text)
        }
    }

    /// `09506000134352`, `09506000134352/10/LOT1`, `09506000134352/21/SER1` or `(01)…(10)…`.
    static func gtinWithQualifier(_ text: String) -> DigitalLink? {
        var normalized = text
        if text.hasPrefix("(01)") {
            normalized = text.replacingOccurrences(of: "(01)", with: "").replacingOccurrences(of: "(10)", with: "/10/")
                .replacingOccurrences(of: "(21)", with: "/21/")
        }
        let head = normalized.prefix { $0 != "/" }
        guard head.allSatisfy(\.isNumber), [8, 12, 13, 14].contains(head.count) else { return nil }
        return DigitalLink("https://id.gs1.org/01/" + normalized)
    }

    /// The index keys to look up, most specific first.
    var keys: [TraceKey] {
        switch self {
        case let .digitalLink(link):
            // A serialised item's history includes its lot's events; class-level
            // events (other orders of the same GTIN) belong to a GTIN trace only.
            if let serial = link.serial {
                return [TraceKey("serial", link.gtin + "/" + serial)] + (link.lot.map { [TraceKey("lot", link.gtin + "/" + $0)] } ?? [])
            }
            if let lot = link.lot { return [TraceKey("lot", link.gtin + "/" + lot)] }
            return [TraceKey("gtin", link.gtin)]
        case let .uri(uri):
            return [TraceKey("epc", TraceKey.chainProduct(uri)), TraceKey("bt", uri)]
        case let .text(text):
            return [TraceKey("sku", text), TraceKey("order", text), TraceKey("waybill", text), TraceKey("inventory", text)]
        }
    }
}
