import Foundation
import YidanCore

/// One compiled `Mappings/platforms/<platform>.yaml`: how to recognise the
/// platform's payloads, where its orders sit, and which paths give each
/// normalized field. See `Mappings/platforms/README.md` for the file format.
struct PlatformMapping: Sendable {
    let platform: String
    /// `shopify.yaml`, as named in sources of defaults and in errors.
    let file: String
    /// Separate API responses that belong to one order (`@name/...` paths read them).
    let documents: [DocumentRule]
    /// The shapes of the main payload, each saying where its orders are.
    let shapes: [Shape]
    /// Documents of this platform that are not orders, refused with a message.
    let refusals: [Refusal]
    let fields: [FieldRule]
    let items: ItemRule?

    struct DocumentRule: Sendable {
        let name: String
        let when: Condition
        /// The part must name the order it is given with (SameOrderCheck.swift).
        var sameOrder: SameOrderKey? = nil
    }

    struct Shape: Sendable {
        let name: String
        let when: Condition
        /// Relative to the document root; `*` yields several orders.
        let orders: PlatformPath
        /// Field rules of this shape only; they replace the common rule of the same name.
        let fields: [FieldRule]
        /// Line rules of this shape only (an API version whose lines sit elsewhere); replace `items`.
        var items: ItemRule? = nil
    }

    struct Refusal: Sendable {
        let name: String
        let when: Condition
        let message: String
    }

    struct ItemRule: Sendable {
        let path: PlatformPath
        /// A line is skipped when any of these holds (evaluated on the line).
        let skipWhen: [Condition]
        /// Rows with the same value of this field become one line (one-row-per-unit platforms).
        let aggregateBy: String?
        let fields: [FieldRule]
    }
}

/// A test on a payload: every `exists` path reaches a non-null value, no
/// `absent` path does, and every `equals` path reaches the given text.
struct Condition: Sendable {
    var exists: [PlatformPath] = []
    var absent: [PlatformPath] = []
    var equals: [(path: PlatformPath, text: String)] = []

    func holds(in scope: ExtractionScope) -> Bool {
        for path in exists where !scope.matches(path).contains(where: { $0.value != .null }) { return false }
        for path in absent where scope.matches(path).contains(where: { $0.value != .null }) { return false }
        for (path, text) in equals where !scope.matches(path).contains(where: { ExtractionScope.scalarText($0.value) == text }) {
            return false
        }
        return true
    }
}

/// How a normalized field is read from a payload.
struct FieldRule: Sendable {
    enum Combine: Sendable {
        /// The first non-empty value of the paths, in order.
        case first
        /// Every non-empty value of every path, joined with the separator.
        case join(String)
        /// The decimal sum of every value of every path (no value at all: the default).
        case sum
    }

    let name: String
    /// Where errors and defaults name the rule: `shopify.yaml fields.freight`.
    let location: String
    let paths: [PlatformPath]
    let combine: Combine
    let conversion: ValueConversion?
    let stripPrefix: String?
    /// Amounts some platforms send negative (Magento discounts).
    let absolute: Bool
    let constant: String?
    let fallback: String?

    func evaluate(in scope: ExtractionScope) throws(ConversionIssue) -> SourcedValue? {
        if let constant { return SourcedValue(text: constant, source: "\(location) const") }
        var found: [(text: String, source: String)] = []
        search: for path in paths {
            for match in scope.matches(path) {
                guard let text = ExtractionScope.scalarText(match.value), !text.allSatisfy(\.isWhitespace) else { continue }
                found.append((text, match.source))
                if case .first = combine { break search }
            }
        }
        guard !found.isEmpty else {
            return fallback.map { SourcedValue(text: $0, source: "\(location) default") }
        }
        switch combine {
        case .first:
            return try finish(found[0].text, source: found[0].source)
        case .join(let separator):
            var parts: [String] = []
            for part in found { parts.append(try finish(part.text, source: part.source).text) }
            let sources = found.map(\.source)
            return SourcedValue(text: parts.joined(separator: separator), source: Self.joinSources(sources))
        case .sum:
            var total = Decimal(0)
            for part in found {
                let value = try finish(part.text, source: part.source)
                guard let decimal = Money.parse(value.text) else {
                    throw ConversionIssue(source: part.source, value: part.text, rule: "is not a plain decimal to add up")
                }
                total += decimal
            }
            let source = "sum of " + Self.joinSources(found.map(\.source))
            return SourcedValue(text: Money.format(total), source: source)
        }
    }

    private func finish(_ raw: String, source: String) throws(ConversionIssue) -> SourcedValue {
        var text = raw
        if let stripPrefix, text.hasPrefix(stripPrefix) { text = String(text.dropFirst(stripPrefix.count)) }
        if let conversion { text = try conversion.apply(text, source: source) }
        if absolute, text.hasPrefix("-") { text = String(text.dropFirst()) }
        return SourcedValue(text: text, source: source)
    }

    /// `shopify:/order/a + /order/b`: one platform prefix, then the pointers.
    static func joinSources(_ sources: [String]) -> String {
        guard let first = sources.first else { return "" }
        guard let colon = first.firstIndex(of: ":") else { return sources.joined(separator: " + ") }
        let prefix = first[...colon]
        let rest = sources.dropFirst().map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        return ([first] + rest).joined(separator: " + ")
    }
}

/// A value a conversion refused, with the path it came from.
struct ConversionIssue: Error, Sendable {
    var source: String
    var value: String
    var rule: String

    var fieldIssue: FieldIssue { FieldIssue(pointer: source, value: value, rule: rule) }
}

/// What paths are evaluated against: the document, the order object inside it,
/// the current line item (inside `items:` rules) and the order's other documents.
struct ExtractionScope {
    let platform: String
    let order: (value: JSONValue, pointer: String)
    var context: (value: JSONValue, pointer: String)
    let documents: [String: JSONValue]
    /// How sources of context-relative paths start: `shopify:`, or `amazon[items]:` for a line of another document.
    var contextPrefix: String

    init(platform: String, order: (value: JSONValue, pointer: String), documents: [String: JSONValue]) {
        self.platform = platform
        self.order = order
        self.context = order
        self.documents = documents
        self.contextPrefix = platform + ":"
    }

    func matches(_ path: PlatformPath) -> [(value: JSONValue, source: String)] {
        switch path.base {
        case .context:
            return path.matches(in: context.value, at: context.pointer).map { ($0.value, contextPrefix + $0.pointer) }
        case .order:
            return path.matches(in: order.value, at: order.pointer).map { ($0.value, "\(platform):\($0.pointer)") }
        case .document(let name):
            guard let document = documents[name] else { return [] }
            return path.matches(in: document, at: "").map { ($0.value, "\(platform)[\(name)]:\($0.pointer)") }
        }
    }

    /// Strings as sent, numbers as their literal text, booleans as true/false; nil for the rest.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null, .object, .array: nil
        }
    }
}
