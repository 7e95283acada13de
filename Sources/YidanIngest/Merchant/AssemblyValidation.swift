import Foundation
import YidanCore

/// Checks an assembled order with the same rules as a submitted normalized
/// order (`NormalizedOrderJSON.decode` of its canonical JSON), so both inputs
/// meet one definition of a valid order. Each rule broken by a value says
/// where the value came from; a missing value says where it could be supplied.
enum AssemblyValidation {
    static func check(_ order: NormalizedOrder, run: AssemblyRun) throws(ValidationFailure) {
        var decoderIssues: [FieldIssue] = []
        do {
            _ = try NormalizedOrderJSON.decode(OrderEncoder.document(order))
        } catch {
            decoderIssues = error.issues
        }
        let missingPointers = Set(run.missing.map(\.pointer))
        var issues = run.missing.map { FieldIssue(pointer: $0.pointer, value: nil, rule: $0.rule) } + run.problems
        for issue in decoderIssues {
            if missingPointers.contains(issue.pointer) { continue }
            if run.suppressed.contains(where: { $0.hasSuffix("/") ? issue.pointer.hasPrefix($0) : issue.pointer == $0 }) { continue }
            // A foreign-currency order whose conversion failed has placeholder amounts.
            if run.problems.contains(where: { $0.pointer == "/currency" }), isAmount(issue.pointer) { continue }
            var hinted = issue
            if let origin = run.provenance[issue.pointer] {
                hinted.rule += " (from \(origin)"
                if case .platform = origin, let column = AssemblyRun.sideColumns[issue.pointer] {
                    hinted.rule += "; the merchant may give the right value as \(run.sideFilePlace(column))"
                }
                hinted.rule += ")"
            }
            issues.append(hinted)
        }
        guard !issues.isEmpty else { return }
        // Stable: the rank of the field, then the order found.
        let ranked = issues.enumerated().sorted { (rank(of: $0.element.pointer), $0.offset) < (rank(of: $1.element.pointer), $1.offset) }
        throw ValidationFailure(issues: ranked.map(\.element))
    }

    private static func isAmount(_ pointer: String) -> Bool {
        ["/goodsValue", "/freight", "/discount", "/insurance"].contains(pointer)
            || pointer.hasSuffix("/unitPrice") || pointer.hasSuffix("/totalPrice")
    }

    /// Issues in the order of the normalized document's fields.
    private static func rank(of pointer: String) -> Int {
        let sections = ["/orderNo", "/platform", "/orderTime", "/tradeMode", "/currency", "/goodsValue", "/freight", "/insurance",
                        "/discount", "/buyer", "/consignee", "/items", "/payment", "/logistics", "/enterprises", "/customs", "/note"]
        return sections.firstIndex { pointer == $0 || pointer.hasPrefix($0 + "/") } ?? sections.count
    }
}
