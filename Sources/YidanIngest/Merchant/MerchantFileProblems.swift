import YidanCore

/// The problems found in one merchant file, each naming the file, the line,
/// the column or key, the value and the rule; thrown together.
struct MerchantFileProblems {
    let file: String
    private(set) var issues: [FieldIssue] = []

    init(file: String) {
        self.file = file
    }

    /// `catalog.csv line 3 column gcode: "12345" must be 10 digits`.
    mutating func report(line: Int?, _ place: String, _ value: String?, _ rule: String) {
        let at = line.map { "\(file) line \($0) \(place)" } ?? "\(file) \(place)"
        issues.append(FieldIssue(pointer: at, value: value, rule: rule))
    }

    /// Checks `text` against a field rule; true when it passes.
    @discardableResult
    mutating func check(_ text: String, _ rule: TextRule, line: Int?, _ place: String, shown: Shown = .plain) -> Bool {
        guard let broken = rule.violation(text) else { return true }
        report(line: line, place, shown.render(text), broken)
        return false
    }

    /// Throws `YidanError(.configuration)` listing every issue, with a `ValidationFailure` cause.
    func throwIfAny() throws(YidanError) {
        guard !issues.isEmpty else { return }
        let failure = ValidationFailure(issues: issues)
        throw YidanError(.configuration, "\(file): \(failure.description)", cause: failure)
    }
}
