public import Foundation
import Hummingbird
import YidanIngest

/// A JSON value the API writes. Objects print their keys sorted, so the same
/// answer is always the same bytes (idempotent replays compare equal).
public indirect enum JSONOut: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    /// A number written exactly as given (money: `Decimal` text, never a binary float).
    case number(String)
    case string(String)
    case array([JSONOut])
    case object([String: JSONOut])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONOut...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONOut)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public static func optional(_ value: String?) -> JSONOut { value.map(JSONOut.string) ?? .null }
    public static func decimal(_ value: Decimal) -> JSONOut { .number("\(value)") }
    public static func time(_ date: Date?) -> JSONOut {
        guard let date else { return .null }
        return .string(date.formatted(.iso8601))
    }

    public var serialized: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(value): out += value ? "true" : "false"
        case let .int(value): out += String(value)
        case let .number(text): out += text
        case let .string(text): out += JSONValue.literal(text)
        case let .array(values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.write(into: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                out += JSONValue.literal(key) + ":"
                members[key]?.write(into: &out)
            }
            out += "}"
        }
    }
}

enum APIJSON {
    static func response(_ status: HTTPResponse.Status, body: JSONOut) -> Response {
        response(status, bytes: Data(body.serialized.utf8))
    }

    static func response(_ status: HTTPResponse.Status, bytes: Data) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
