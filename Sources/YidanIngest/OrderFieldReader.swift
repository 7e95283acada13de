import Foundation
import YidanCore

/// The members of one JSON object together with its pointer.
struct ObjectView {
    let pointer: String
    let members: [(key: String, value: JSONValue)]

    func child(_ key: String) -> String { pointer + "/" + JSONPointer.escape(key) }

    /// The member's value; absent and `null` both count as not given.
    func value(_ key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }
}

enum JSONPointer {
    /// RFC 6901: "~" → "~0", "/" → "~1".
    static func escape(_ key: String) -> String {
        // Almost no key needs escaping; skip Foundation's search-and-replace then.
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        return key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// How a field's value is shown in an issue: personal data masked, long text cut.
enum Shown {
    case plain
    case masked(@Sendable (String) -> String)

    func render(_ text: String) -> String {
        var shown: String
        switch self {
        case .plain: shown = text
        case let .masked(mask): shown = mask(text)
        }
        if shown.count > 64 { shown = String(shown.prefix(60)) + "…" }
        return Self.escapingControls(shown)
    }

    /// Control characters (C0, DEL, C1) written as `\u001B`: an issue's value
    /// ends up in terminals, logs and HTML, where a raw escape sequence or
    /// line break could forge output.
    static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else { escaped.append(scalar); continue }
            let hex = String(scalar.value, radix: 16, uppercase: true)
            escaped.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
        }
        return String(escaped)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Reads typed fields out of JSON objects and collects every problem instead
/// of stopping at the first, so a merchant sees all of them in one answer.
final class OrderFieldReader {
    private(set) var issues: [FieldIssue] = []

    func report(_ pointer: String, _ value: String?, _ rule: String) {
        issues.append(FieldIssue(pointer: pointer, value: value, rule: rule))
    }

    /// An object with exactly the allowed members. Unknown members are refused
    /// (a misspelt optional field would otherwise vanish silently) and a member
    /// given twice is refused (which of the two is meant is anyone's guess).
    func object(_ value: JSONValue?, at pointer: String, allowed: [String]) -> ObjectView? {
        guard let value else {
            report(pointer, nil, "is required")
            return nil
        }
        guard case let .object(members) = value else {
            report(pointer, nil, "must be an object, found \(value.typeName)")
            return nil
        }
        var seen: Set<String> = []
        for member in members {
            let memberPointer = pointer + "/" + JSONPointer.escape(member.key)
            if !allowed.contains(member.key) {
                report(memberPointer, nil, "is not a known field; allowed: " + allowed.joined(separator: ", "))
            } else if !seen.insert(member.key).inserted {
                report(memberPointer, nil, "is given more than once")
            }
        }
        return ObjectView(pointer: pointer, members: members)
    }

    func string(_ object: ObjectView, _ key: String, _ rule: TextRule, shown: Shown = .plain) -> String? {
        let pointer = object.child(key)
        guard let value = object.value(key) else {
            report(pointer, nil, "is required")
            return nil
        }
        return check(value, at: pointer, rule, shown: shown)
    }

    func optionalString(_ object: ObjectView, _ key: String, _ rule: TextRule, shown: Shown = .plain) -> String? {
        guard let value = object.value(key) else { return nil }
        return check(value, at: object.child(key), rule, shown: shown)
    }

    private func check(_ value: JSONValue, at pointer: String, _ rule: TextRule, shown: Shown) -> String? {
        guard case let .string(text) = value else {
            report(pointer, nil, "must be a string, found \(value.typeName)")
            return nil
        }
        if let violation = rule.violation(text) {
            report(pointer, shown.render(text), violation)
            return nil
        }
        return text
    }

    func time(_ object: ObjectView, _ key: String) -> ZonedDateTime? {
        guard let text = string(object, key, .text(max: 40)) else { return nil }
        guard let time = ZonedDateTime(iso8601: text) else {
            report(object.child(key), Shown.plain.render(text), "must be RFC 3339 with a zone offset, e.g. 2026-11-29T10:15:00+08:00")
            return nil
        }
        return time
    }

    /// A decimal given as a JSON number or as a string holding a plain decimal
    /// literal; never through `Double`. `maxScale` is the number of decimals
    /// allowed, `positive` asks for > 0 instead of >= 0.
    func decimal(_ object: ObjectView, _ key: String, maxScale: Int, positive: Bool = false, default fallback: Decimal? = nil) -> Decimal? {
        let pointer = object.child(key)
        guard let value = object.value(key) else {
            if let fallback { return fallback }
            report(pointer, nil, "is required")
            return nil
        }
        let literal: String
        switch value {
        case let .number(text), let .string(text): literal = text
        default:
            report(pointer, nil, "must be a number or a decimal string, found \(value.typeName)")
            return nil
        }
        let shown = Shown.plain.render(literal)
        guard let parts = DecimalLiteral(literal) else {
            report(pointer, shown, "must be a plain decimal like 12.50 (no exponent, no grouping)")
            return nil
        }
        if parts.negative && !parts.isZero {
            report(pointer, shown, "must not be negative")
            return nil
        }
        if positive && parts.isZero {
            report(pointer, shown, "must be greater than 0")
            return nil
        }
        if parts.scale > maxScale {
            report(pointer, shown, "must have at most \(maxScale) decimal\(maxScale == 1 ? "" : "s")")
            return nil
        }
        // CEB decimals are xs:decimal totalDigits 19; Decimal itself holds 38.
        if parts.significantDigits > 19 {
            report(pointer, shown, "must have at most 19 digits")
            return nil
        }
        guard let decimal = Money.parse(parts.unsigned) else {
            report(pointer, shown, "must be a plain decimal like 12.50 (no exponent, no grouping)")
            return nil
        }
        return decimal
    }

    /// A whole JSON number in a range (CEB `packNo` is xs:int, at most 9 digits).
    func integer(_ object: ObjectView, _ key: String, range: ClosedRange<Int>) -> Int? {
        let pointer = object.child(key)
        guard let value = object.value(key) else {
            report(pointer, nil, "is required")
            return nil
        }
        let rule = "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard case let .number(text) = value else {
            report(pointer, nil, "\(rule), found \(value.typeName)")
            return nil
        }
        guard text.utf8.count <= 10, let number = Int(text), range.contains(number) else {
            report(pointer, Shown.plain.render(text), rule)
            return nil
        }
        return number
    }

    func array(_ object: ObjectView, _ key: String) -> [JSONValue]? {
        let pointer = object.child(key)
        guard let value = object.value(key) else {
            report(pointer, nil, "is required")
            return nil
        }
        guard case let .array(values) = value else {
            report(pointer, nil, "must be an array, found \(value.typeName)")
            return nil
        }
        return values
    }
}

/// `-?digits(.digits)?`: the JSON number grammar without exponent; leading zeros refused.
struct DecimalLiteral {
    var negative: Bool
    var integerDigits: Substring
    var fractionDigits: Substring

    init?(_ text: String) {
        var rest = Substring(text)
        negative = rest.first == "-"
        if negative { rest = rest.dropFirst() }
        let pieces = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        integerDigits = pieces[0]
        fractionDigits = pieces.count > 1 ? pieces[1] : ""
        let isDigits: (Substring) -> Bool = { $0.utf8.allSatisfy(ASCIIClass.digit) }
        guard !integerDigits.isEmpty, isDigits(integerDigits), isDigits(fractionDigits),
              pieces.count == 1 || !fractionDigits.isEmpty,
              integerDigits == "0" || integerDigits.first != "0"
        else { return nil }
    }

    var scale: Int { fractionDigits.count }
    var isZero: Bool { (integerDigits + fractionDigits).allSatisfy { $0 == "0" } }
    var unsigned: String { fractionDigits.isEmpty ? String(integerDigits) : integerDigits + "." + fractionDigits }
    var significantDigits: Int {
        (integerDigits == "0" ? 0 : integerDigits.count) + fractionDigits.count
    }
}
