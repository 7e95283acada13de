public import Foundation
public import YidanCore

/// Where one field of an assembled order came from.
public enum Provenance: Sendable, Equatable, CustomStringConvertible {
    /// A value of the platform payload: `shopify:/order/line_items/0/sku`.
    case platform(source: String)
    /// A column of the merchant's catalog row for a SKU.
    case catalog(sku: String, column: String)
    /// A key of the merchant profile, e.g. `enterprises.ebpCode`.
    case profile(key: String)
    /// A column of the identities side file's row for an order.
    case identities(orderNo: String, column: String)
    /// Derived from other fields: `goodsValue = Σ items' totalPrice`.
    case computed(String)
    /// An amount converted to CNY; `origin` is the provenance text of the original amount.
    case converted(from: String, currency: String, rate: Decimal, rateDate: String, source: String, origin: String)

    public var description: String {
        switch self {
        case .platform(let source): "platform \(source)"
        case .catalog(let sku, let column): "catalog SKU \(sku) column \(column)"
        case .profile(let key): "profile \(key)"
        case .identities(let orderNo, let column): "identities order \(orderNo) column \(column)"
        case .computed(let text): "computed \(text)"
        case .converted(let from, let currency, let rate, let rateDate, let source, let origin):
            "converted \(from) \(currency) × \(Money.format(rate)) (rate of \(rateDate), \(source)) from \(origin)"
        }
    }
}

/// A platform order joined with the merchant's files: the normalized order
/// (every amount in CNY) and, for every field it holds, where the value came
/// from. Keys are JSON pointers into the normalized order (`/items/0/gcode`).
public struct AssembledOrder: Sendable, Equatable {
    public var order: NormalizedOrder
    public var provenance: [String: Provenance]

    public init(order: NormalizedOrder, provenance: [String: Provenance]) {
        self.order = order
        self.provenance = provenance
    }

    /// `pointer → provenance` lines in the order of the normalized JSON's fields
    /// (the `.provenance.txt` golden files and `yidan ingest --explain`).
    public var provenanceLines: [String] {
        Self.leafPointers(of: OrderEncoder.document(order)).map { pointer in
            "\(pointer) ← \(provenance[pointer]?.description ?? "(no provenance)")"
        }
    }

    /// Every field of the normalized order with its value as text, in the
    /// order of the normalized JSON (`yidan ingest --explain`).
    public var leafValues: [(pointer: String, value: String)] {
        Self.leaves(of: OrderEncoder.document(order))
    }

    /// The pointers of every field a normalized order holds.
    public static func leafPointerList(of order: NormalizedOrder) -> [String] {
        leafPointers(of: OrderEncoder.document(order))
    }

    static func leaves(of value: JSONValue, at pointer: String = "") -> [(pointer: String, value: String)] {
        switch value {
        case .object(let members):
            members.flatMap { leaves(of: $0.value, at: pointer + "/" + JSONPointer.escape($0.key)) }
        case .array(let values):
            values.enumerated().flatMap { leaves(of: $0.element, at: pointer + "/\($0.offset)") }
        case .string(let text), .number(let text):
            [(pointer, text)]
        case .bool(let flag):
            [(pointer, flag ? "true" : "false")]
        case .null:
            [(pointer, "null")]
        }
    }

    /// Every scalar's pointer in document order.
    static func leafPointers(of value: JSONValue, at pointer: String = "") -> [String] {
        switch value {
        case .object(let members):
            members.flatMap { leafPointers(of: $0.value, at: pointer + "/" + JSONPointer.escape($0.key)) }
        case .array(let values):
            values.enumerated().flatMap { leafPointers(of: $0.element, at: pointer + "/\($0.offset)") }
        default:
            [pointer]
        }
    }
}
