/// A place in a platform payload, as mapping files write it: a JSON pointer
/// (RFC 6901) whose tokens may be `*` (every element of an array, every member
/// of an object).
///
/// - `/shipping_address/country_code` is relative to the order object (inside
///   `items:` rules, relative to the line item);
/// - `^/currency` inside `items:` rules is relative to the order object;
/// - `@transactions/0/id` reads the separate document declared as
///   `transactions` under `documents:` (an API response that belongs to the order).
struct PlatformPath: Sendable, Hashable, CustomStringConvertible {
    enum Base: Sendable, Hashable {
        case context
        case order
        case document(String)
    }

    enum Token: Sendable, Hashable {
        case key(String)
        case any
        /// `*[key=value]`: the elements whose member `key` is `value` (PlatformPathFilter.swift).
        case filter(PlatformPathFilter)
    }

    let base: Base
    let tokens: [Token]
    let text: String

    var description: String { text }
    var hasWildcard: Bool { tokens.contains(.any) }

    init(_ text: String) throws(YidanPathError) {
        self.text = text
        var rest = Substring(text)
        if rest.hasPrefix("^") {
            base = .order
            rest = rest.dropFirst()
        } else if rest.hasPrefix("@") {
            let name = rest.dropFirst().prefix { $0 != "/" }
            guard !name.isEmpty else { throw YidanPathError(path: text, rule: "needs a document name after @") }
            base = .document(String(name))
            rest = rest.dropFirst(1 + name.count)
        } else {
            base = .context
        }
        guard rest.isEmpty || rest.hasPrefix("/") else {
            throw YidanPathError(path: text, rule: "must be a JSON pointer starting with / (optionally after ^ or @name)")
        }
        var tokens: [Token] = []
        if !rest.isEmpty {
            for raw in rest.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
                if raw == "*" {
                    tokens.append(.any)
                } else if let filter = PlatformPathFilter.parse(raw) {
                    tokens.append(.filter(filter))
                } else {
                    tokens.append(.key(Self.unescape(String(raw))))
                }
            }
        }
        self.tokens = tokens
    }

    static func unescape(_ token: String) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// Every value the path reaches from `value` (found at `pointer`), in document order.
    func matches(in value: JSONValue, at pointer: String) -> [(value: JSONValue, pointer: String)] {
        var current: [(value: JSONValue, pointer: String)] = [(value, pointer)]
        for token in tokens {
            var next: [(value: JSONValue, pointer: String)] = []
            for (node, path) in current {
                switch (token, node) {
                case let (.any, .array(values)):
                    for (index, element) in values.enumerated() { next.append((element, path + "/\(index)")) }
                case let (.filter(filter), _):
                    next += filter.children(of: node, at: path)
                case let (.any, .object(members)):
                    for member in members { next.append((member.value, path + "/" + JSONPointer.escape(member.key))) }
                case let (.key(key), .object):
                    if let child = node[key] { next.append((child, path + "/" + JSONPointer.escape(key))) }
                case let (.key(key), .array(values)):
                    if let index = Int(key), index >= 0, index < values.count, String(index) == key {
                        next.append((values[index], path + "/" + key))
                    }
                default:
                    continue
                }
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }
}

/// A path in a mapping file that cannot be read.
struct YidanPathError: Error, Sendable {
    var path: String
    var rule: String
}
