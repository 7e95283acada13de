import Foundation
import YidanCore

/// One message's mapping, compiled from `Mappings/ceb/<kind>.yaml` (or an
/// authority filing's `Mappings/authorities/<kind>.yaml`).
struct MessageMapping: Sendable {
    /// The message's name in errors: a `MessageKind` raw value (`CEB311`) or an
    /// `AuthorityFilingKind` raw value (`TAX-IMPORT`).
    let message: String
    let root: String
    let namespaceURI: String
    let prefix: String
    let attributes: [FieldRule]
    let children: [ElementRule]
}

/// An element of the message: a value, or a group of elements.
enum ElementRule: Sendable {
    case field(FieldRule)
    case group(GroupRule)
}

/// A group element (`Order`, `OrderHead`, …). With `repeat` it is written
/// once per entry of a list, the entry in scope as `item.*` and `index`.
struct GroupRule: Sendable {
    let name: String
    let children: [ElementRule]
    let repeatOver: ListPath?
    let when: MappingCondition?
}

/// An element (or root attribute) with a value: `element ← source` and options.
struct FieldRule: Sendable {
    /// The element's local name.
    let name: String
    /// Where it sits in the message, e.g. `OrderHead/buyerName`, for errors.
    let location: String
    let source: MappingExpression
    /// Date pattern for times, e.g. `yyyyMMddHHmmss`, always in Beijing time.
    let format: String?
    let lookup: CodeLookup?
    /// Round half-up to exactly this many decimals and write them all.
    let decimals: Int?
    /// Round half-up to at most this many decimals; trailing zeros dropped.
    let maxDecimals: Int?
    /// Leave the element out when the source is absent or empty.
    let optional: Bool
    let when: MappingCondition?
    /// Fail with a field issue (rather than a schema error) above this length.
    let maxLength: Int?
    /// The written text must be exactly this, e.g. currency `142` (customs takes RMB only).
    let expect: String?
    /// Written when the source is absent or empty (e.g. barCode `无`, as the spec asks).
    let fallback: String?
}

extension FieldRule {
    /// Default pattern for a time written without `format`.
    static let defaultTimeFormat = "yyyyMMddHHmmss"

    /// The element text, or nil when it is left out. Problems become issues.
    func render(in scope: MappingScope, message: String, issues: inout [FieldIssue]) -> String? {
        if let when, !when.holds(in: scope) { return nil }
        let path = source.primaryPath
        // Only an issue needs the pointer; building it for every field cost string work.
        var pointer: String { path?.pointer(scope) ?? location }
        guard let value = source.evaluate(in: scope).flatMap({ $0.isEmpty ? nil : $0 }) ?? fallback.map(MappingValue.text) else {
            if !optional {
                issues.append(FieldIssue(pointer: pointer, value: nil, rule: "is required for \(message) \(location)"))
            }
            return nil
        }
        var text: String
        switch value {
        case .time(let time):
            text = time.format(format ?? Self.defaultTimeFormat, inOffset: ZonedDateTime.beijingOffsetSeconds)
        case .decimal(let number):
            text = DecimalTextCache.text(number, decimals: decimals, maxDecimals: maxDecimals)
        case .text(let raw):
            text = raw
        }
        if let lookup {
            guard let code = lookup(text) else {
                issues.append(FieldIssue(pointer: pointer, value: path?.maskedValue(text) ?? text, rule: lookup.missRule))
                return nil
            }
            text = code
        }
        if let expect, text != expect {
            let shown = path.map { $0.maskedValue(value.plainText) } ?? value.plainText
            issues.append(FieldIssue(
                pointer: pointer, value: shown,
                rule: "must give \(expect) for \(message) \(location) (found \(text))"
            ))
            return nil
        }
        if let maxLength, text.count > maxLength {
            issues.append(FieldIssue(
                pointer: pointer, value: path?.maskedValue(text) ?? text,
                rule: "is longer than the \(maxLength) characters \(message) \(location) allows"
            ))
            return nil
        }
        return text
    }
}
