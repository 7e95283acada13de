import YidanCore

/// What a text field of the order may hold. Length limits come from the CEB
/// import XSD (202205) for the element the field is filed as; where a field is
/// filed in several messages the smallest limit applies.
struct TextRule: Sendable {
    var minLength: Int = 1
    var maxLength: Int
    /// A check of the characters beyond the length, with the rule text shown when it fails.
    var pattern: (@Sendable (String) -> Bool)?
    var patternRule: String?
    /// Free remarks may span lines (tab, LF and CR are valid in XML 1.0); names and codes may not.
    var multiline = false

    static func text(max: Int) -> TextRule { TextRule(maxLength: max) }
    static func multilineText(max: Int) -> TextRule { TextRule(maxLength: max, multiline: true) }

    static func code(length: ClosedRange<Int>, rule: String, _ allowed: @escaping @Sendable (UInt8) -> Bool) -> TextRule {
        TextRule(
            minLength: length.lowerBound, maxLength: length.upperBound,
            pattern: { text in
                let bytes = Array(text.utf8)
                return length.contains(bytes.count) && bytes.allSatisfy(allowed)
            },
            patternRule: rule
        )
    }

    /// Returns the rule the text breaks, or nil when it is fine.
    func violation(_ text: String) -> String? {
        if let pattern, let patternRule {
            return pattern(text) ? nil : patternRule
        }
        let lineBreaks: Set<UInt32> = multiline ? [0x09, 0x0A, 0x0D] : []
        if text.unicodeScalars.contains(where: { ($0.value < 0x20 || $0.value == 0x7F) && !lineBreaks.contains($0.value) }) {
            return "must not contain control characters"
        }
        if text.allSatisfy(\.isWhitespace) && minLength > 0 {
            return text.isEmpty ? "must not be empty" : "must not be blank"
        }
        // Counted in Unicode scalars, as XSD maxLength and JSON Schema maxLength count.
        let count = text.unicodeScalars.count
        if count < minLength { return "must be at least \(minLength) characters" }
        if count > maxLength { return "must be at most \(maxLength) characters (found \(count))" }
        return nil
    }
}

enum ASCIIClass {
    static func digit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func upper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    static func lower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    static func alphanumeric(_ byte: UInt8) -> Bool { digit(byte) || upper(byte) || lower(byte) }
    static func upperAlphanumeric(_ byte: UInt8) -> Bool { digit(byte) || upper(byte) }
    static func identifier(_ byte: UInt8) -> Bool { alphanumeric(byte) || byte == 0x5F || byte == 0x2D }
    static func phone(_ byte: UInt8) -> Bool { digit(byte) || byte == 0x2B || byte == 0x2D || byte == 0x20 }
}

/// The rules of the order's coded fields, named once so the decoder and the
/// documentation (the JSON Schema) say the same thing.
enum OrderRules {
    static let orderNo = TextRule.code(length: 1...60, rule: "must be 1-60 characters of [A-Za-z0-9_-]", ASCIIClass.identifier)
    static let platform = TextRule.code(length: 1...30, rule: "must be 1-30 characters of [A-Za-z0-9_-]", ASCIIClass.identifier)
    static let currency = TextRule.code(length: 3...3, rule: "must be 3 upper-case letters (ISO 4217)", ASCIIClass.upper)
    static let country = TextRule.code(length: 2...3, rule: "must be 2 or 3 upper-case letters (ISO 3166)", ASCIIClass.upper)
    static let district = TextRule.code(length: 6...6, rule: "must be 6 digits", ASCIIClass.digit)
    static let gcode = TextRule.code(length: 10...10, rule: "must be 10 digits", ASCIIClass.digit)
    static let enterpriseCode = TextRule.code(
        length: 10...10, rule: "must be 10 characters of [0-9A-Z] (customs registration code)", ASCIIClass.upperAlphanumeric
    )
    static let customsOffice = TextRule.code(length: 4...4, rule: "must be 4 digits", ASCIIClass.digit)
    static let transportMode = TextRule.code(length: 1...1, rule: "must be 1 character of [0-9A-Z]", ASCIIClass.upperAlphanumeric)
    static let emsNo = TextRule.code(length: 1...30, rule: "must be 1-30 characters of [0-9A-Za-z]", ASCIIClass.alphanumeric)
    static let areaCode = TextRule.code(length: 1...18, rule: "must be 1-18 characters of [0-9A-Z]", ASCIIClass.upperAlphanumeric)
    static let sku = TextRule.code(length: 1...20, rule: "must be 1-20 characters of [A-Za-z0-9_-]", ASCIIClass.identifier)
    static let barcode = TextRule.code(length: 1...50, rule: "must be 1-50 characters of [0-9A-Za-z]", ASCIIClass.alphanumeric)
    static let waybillNo = TextRule.code(length: 1...60, rule: "must be 1-60 characters of [A-Za-z0-9_-]", ASCIIClass.identifier)
    static let transactionId = TextRule.code(length: 1...60, rule: "must be 1-60 characters of [A-Za-z0-9_-]", ASCIIClass.identifier)
    static let buyerPhone = TextRule.code(length: 5...30, rule: "must be 5-30 characters of digits, '+', '-' and spaces", ASCIIClass.phone)
    static let consigneePhone = TextRule.code(length: 5...50, rule: "must be 5-50 characters of digits, '+', '-' and spaces", ASCIIClass.phone)
    static let otherIDNumber = TextRule.code(length: 1...60, rule: "must be 1-60 characters of [0-9A-Za-z]", ASCIIClass.alphanumeric)
    static let mainlandIDNumber = TextRule(
        maxLength: 18, pattern: { MainlandIDNumber.isValid($0) },
        patternRule: "must be an 18-character mainland ID number with a valid check digit"
    )
    static let unit = TextRule.text(max: 20)
    static let name100 = TextRule.text(max: 100)
}
