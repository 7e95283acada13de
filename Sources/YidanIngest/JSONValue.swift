/// A parsed JSON document that loses nothing an order needs.
///
/// Numbers keep their literal text ("12345678901234567890.12" stays exactly
/// that), so money is turned into `Decimal` from the digits the merchant sent
/// and never passes through `Double`. Objects keep their members in document
/// order, duplicates included, so the decoder can point at a repeated key.
public enum JSONValue: Sendable, Equatable, Hashable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number exactly as written in the document (RFC 8259 grammar).
    case number(String)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .object(members):
            hasher.combine(0)
            for member in members {
                hasher.combine(member.key)
                hasher.combine(member.value)
            }
        case let .array(values): hasher.combine(1); hasher.combine(values)
        case let .string(text): hasher.combine(2); hasher.combine(text)
        case let .number(text): hasher.combine(3); hasher.combine(text)
        case let .bool(flag): hasher.combine(4); hasher.combine(flag)
        case .null: hasher.combine(5)
        }
    }

    /// The JSON type name, for messages such as "must be a string, found number".
    public var typeName: String {
        switch self {
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        case .null: "null"
        }
    }

    /// The first member named `key` of an object; nil for other values.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

extension JSONValue {
    /// Serialises with a fixed layout: two-space indentation, members in the
    /// order given, numbers as their literal text, non-ASCII as UTF-8. The same
    /// value always gives the same bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, indent: 0)
        out.append(0x0A)
        return out
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case let .object(members):
            if members.isEmpty { out.append(contentsOf: Array("{}".utf8)); return }
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                out.append(contentsOf: Array((index == 0 ? "\n" : ",\n").utf8))
                out.append(contentsOf: [UInt8](repeating: 0x20, count: indent + 2))
                Self.writeString(member.key, into: &out)
                out.append(contentsOf: Array(": ".utf8))
                member.value.write(into: &out, indent: indent + 2)
            }
            out.append(0x0A)
            out.append(contentsOf: [UInt8](repeating: 0x20, count: indent))
            out.append(UInt8(ascii: "}"))
        case let .array(values):
            if values.isEmpty { out.append(contentsOf: Array("[]".utf8)); return }
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                out.append(contentsOf: Array((index == 0 ? "\n" : ",\n").utf8))
                out.append(contentsOf: [UInt8](repeating: 0x20, count: indent + 2))
                value.write(into: &out, indent: indent + 2)
            }
            out.append(0x0A)
            out.append(contentsOf: [UInt8](repeating: 0x20, count: indent))
            out.append(UInt8(ascii: "]"))
        case let .string(text): Self.writeString(text, into: &out)
        case let .number(text): out.append(contentsOf: Array(text.utf8))
        case let .bool(flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .null: out.append(contentsOf: Array("null".utf8))
        }
    }

    /// `text` as a JSON string literal, quotes included (for hand-assembled JSON).
    public static func literal(_ text: String) -> String {
        var out: [UInt8] = []
        writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: Array("\\\"".utf8))
            case UInt8(ascii: "\\"): out.append(contentsOf: Array("\\\\".utf8))
            case 0x0A: out.append(contentsOf: Array("\\n".utf8))
            case 0x0D: out.append(contentsOf: Array("\\r".utf8))
            case 0x09: out.append(contentsOf: Array("\\t".utf8))
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
