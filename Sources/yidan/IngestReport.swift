import Foundation
import YidanIngest
import YidanCore
import YidanRouter

/// The refusal report of `yidan ingest`, written as the batch runs so that
/// it never holds more than one refusal: a JSON file (`--report`) and,
/// optionally, the same as a readable table (`--report-table`). The first
/// refusals are also kept to print a table at the end.
///
/// JSON layout: `{"report": "yidan-ingest", "mode", "inputs", "refused": [
/// {"location", "orderNo", "issues": [{"pointer", "value", "rule"}]}, …],
/// "counts": {…}, "seconds", "completed"}`, one refused order per line.
/// Values in issues are already masked by the stage that found them.
final class IngestReport {
    static let printedLimit = 20

    let path: URL
    private let json: FileHandle
    private let table: FileHandle?
    private var refusedCount = 0
    private(set) var printed: [BatchOutcome] = []

    init(path: URL, tablePath: URL?, mode: String, inputs: [String]) throws {
        self.path = path
        json = try Self.create(path)
        table = try tablePath.map(Self.create)
        let head = "{\n  \"report\": \"yidan-ingest\",\n  \"mode\": \(Self.string(mode)),\n"
            + "  \"inputs\": [\(inputs.map(Self.string).joined(separator: ", "))],\n  \"refused\": ["
        try write(head, to: json)
        if let table { try write(Self.tableHeader, to: table) }
    }

    func record(_ outcome: BatchOutcome) throws {
        guard case let .refused(issues) = outcome.result else { return }
        let entry = "{\"location\": \(Self.string(outcome.location)), \"orderNo\": \(outcome.orderNo.map(Self.string) ?? "null"), \"issues\": ["
            + issues.map { issue in
                "{\"pointer\": \(Self.string(issue.pointer)), \"value\": \(issue.value.map(Self.string) ?? "null"), \"rule\": \(Self.string(issue.rule))}"
            }.joined(separator: ", ") + "]}"
        try write((refusedCount == 0 ? "\n    " : ",\n    ") + entry, to: json)
        refusedCount += 1
        if let table { try write(Self.tableRows(outcome.location, outcome.orderNo, issues), to: table) }
        if printed.count < Self.printedLimit { printed.append(outcome) }
    }

    /// Ends both files; `failure` is set when the run stopped early.
    func finish(counts: BatchCounts, seconds: Double, failure: String?) throws {
        let counted = "\"orders\": \(counts.orders), \"accepted\": \(counts.accepted), \"alreadyAccepted\": \(counts.alreadyAccepted), "
            + "\"checked\": \(counts.checked), \"refused\": \(counts.refused)"
        var tail = (refusedCount == 0 ? "],\n" : "\n  ],\n") + "  \"counts\": {\(counted)},\n"
            + "  \"seconds\": \(String(format: "%.3f", seconds)),\n"
        if let failure { tail += "  \"stoppedBy\": \(Self.string(failure)),\n" }
        tail += "  \"completed\": \(failure == nil)\n}\n"
        try write(tail, to: json)
        try json.close()
        try table?.close()
    }

    /// The refusals kept for the end of the run, as a table.
    func printedTable() -> String {
        Self.tableHeader + printed.map { outcome -> String in
            guard case let .refused(issues) = outcome.result else { return "" }
            return Self.tableRows(outcome.location, outcome.orderNo, issues)
        }.joined()
    }

    // MARK: table

    private static let widths = [30, 22, 28, 24]

    static var tableHeader: String { row(["LOCATION", "ORDER", "FIELD", "VALUE", "PROBLEM"]) }

    /// One line per issue; the location and order only on an order's first line.
    static func tableRows(_ location: String, _ orderNo: String?, _ issues: [FieldIssue]) -> String {
        issues.enumerated().map { index, issue in
            row([
                index == 0 ? location : "", index == 0 ? orderNo ?? "-" : "",
                issue.pointer.isEmpty ? "(order)" : issue.pointer, issue.value.map { shorten($0, 22) } ?? "", issue.rule,
            ])
        }.joined()
    }

    private static func row(_ cells: [String]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            if index < widths.count {
                line += cell.count >= widths[index] ? cell + " " : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            } else {
                line += cell
            }
        }
        return line + "\n"
    }

    private static func shorten(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    // MARK: files

    private static func create(_ url: URL) throws -> FileHandle {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CLIFailure("cannot create the report \(url.path)", exitCode: 73)
            }
            return try FileHandle(forWritingTo: url)
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure("cannot create the report \(url.path): \(error.localizedDescription)", exitCode: 73)
        }
    }

    private func write(_ text: String, to handle: FileHandle) throws {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw CLIFailure("cannot write the report: \(error.localizedDescription)", exitCode: 74)
        }
    }

    /// A JSON string literal.
    static func string(_ text: String) -> String { JSONValue.literal(text) }
}
