/// One problem with one field of an input document.
///
/// `pointer` is a JSON pointer (RFC 6901) into the submitted JSON, or an XPath
/// for XML input. `value` is what was found, already masked when the field
/// holds personal data, so an issue can be printed and logged as it is.
public struct FieldIssue: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var pointer: String
    public var value: String?
    public var rule: String

    public init(pointer: String, value: String?, rule: String) {
        self.pointer = pointer
        self.value = value
        self.rule = rule
    }

    /// `/items/0/gcode: "12345" must be 10 digits`
    public var description: String {
        if let value {
            return "\(pointer): \(quoted(value)) \(rule)"
        }
        return "\(pointer): \(rule)"
    }

    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// All problems found in one input, reported together.
public struct ValidationFailure: Error, Sendable, CustomStringConvertible {
    public var issues: [FieldIssue]
    public init(issues: [FieldIssue]) { self.issues = issues }
    public var description: String {
        "\(issues.count) problem\(issues.count == 1 ? "" : "s"):\n" + issues.map { "  " + $0.description }.joined(separator: "\n")
    }
}
