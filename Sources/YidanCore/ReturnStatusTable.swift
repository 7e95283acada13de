import Foundation

/// Customs `returnStatus` codes → filing status and human text, read from
/// `Mappings/tables/return-status.csv`.
///
/// CSV header: `scope,code,status,zh,en`.
/// - `scope`: `*` (any receipt) or a receipt kind (`CEB312`, `CEB412`, `CEB512`,
///   `CEB622`). A row for the receipt's own kind wins over a `*` row.
/// - `code`: the exact code text (`120`), `<0` for any negative integer, or an
///   inclusive integer range `500-599`. Within one scope an exact code wins
///   over a pattern.
/// - `status`: a `FilingStatus` raw value (`stored`, `sent-to-customs`, …).
/// - `zh`, `en`: what the code means, in Chinese and English.
///
/// Fields may be quoted (`"…"`, with `""` for a quote) when they hold commas.
/// Blank lines and lines starting with `#` are ignored.
public struct ReturnStatusTable: Sendable {
    public struct Row: Sendable, Equatable {
        public var scope: ReceiptKind?
        public var code: CodePattern
        public var status: FilingStatus
        public var zh: String
        public var en: String

        public init(scope: ReceiptKind?, code: CodePattern, status: FilingStatus, zh: String, en: String) {
            self.scope = scope
            self.code = code
            self.status = status
            self.zh = zh
            self.en = en
        }
    }

    public enum CodePattern: Sendable, Equatable {
        case exact(String)
        case negative
        case range(ClosedRange<Int>)

        func matches(_ code: String) -> Bool {
            switch self {
            case .exact(let text): return text == code
            case .negative:
                guard let value = Int(code) else { return false }
                return value < 0
            case .range(let range):
                guard let value = Int(code) else { return false }
                return range.contains(value)
            }
        }

        var isExact: Bool {
            if case .exact = self { return true }
            return false
        }
    }

    public let rows: [Row]

    public init(rows: [Row]) {
        self.rows = rows
    }

    /// Parses the CSV text. Throws `YidanError(.configuration)` naming the line
    /// of the first bad row.
    public init(csv text: String) throws {
        let table = try CSVTable(csv: text, name: "return-status table", comments: .anywhere)
        guard table.header.map({ $0.lowercased() }) == ["scope", "code", "status", "zh", "en"] else {
            throw YidanError(.configuration, "return-status table header must be scope,code,status,zh,en")
        }
        // A row of empty fields (",,,,") is as blank as an empty line.
        let records = table.records.filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        var rows: [Row] = []
        for record in records {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            let scope: ReceiptKind?
            if fields[0] == "*" {
                scope = nil
            } else if let kind = ReceiptKind(rawValue: fields[0].uppercased()) {
                scope = kind
            } else {
                throw YidanError(.configuration, "return-status table line \(record.line): unknown scope '\(fields[0])'")
            }
            guard let code = Self.pattern(fields[1]) else {
                throw YidanError(.configuration, "return-status table line \(record.line): bad code '\(fields[1])'")
            }
            guard let status = FilingStatus(rawValue: fields[2]) else {
                throw YidanError(.configuration, "return-status table line \(record.line): unknown status '\(fields[2])'")
            }
            rows.append(Row(scope: scope, code: code, status: status, zh: fields[3], en: fields[4]))
        }
        self.rows = rows
    }

    /// The filing status a receipt of `receipt` kind with `code` means, if the table knows it.
    public func status(for code: String, receipt: ReceiptKind) -> FilingStatus? {
        row(for: code, receipt: receipt)?.status
    }

    /// What the code means, in Chinese and English.
    public func text(for code: String, receipt: ReceiptKind) -> (zh: String, en: String)? {
        row(for: code, receipt: receipt).map { ($0.zh, $0.en) }
    }

    /// The row that applies: kind-specific before `*`, exact before pattern,
    /// then the first in file order.
    public func row(for code: String, receipt: ReceiptKind) -> Row? {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        for scope in [Optional(receipt), nil] {
            let candidates = rows.filter { $0.scope == scope && $0.code.matches(trimmed) }
            if let exact = candidates.first(where: { $0.code.isExact }) { return exact }
            if let first = candidates.first { return first }
        }
        return nil
    }

    static func pattern(_ text: String) -> CodePattern? {
        guard !text.isEmpty else { return nil }
        if text == "<0" { return .negative }
        // "500-599": digits, dash, digits (a leading dash is a negative exact code).
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, !parts[0].isEmpty, let low = Int(parts[0]), let high = Int(parts[1]), low <= high {
            return .range(low...high)
        }
        return .exact(text)
    }
}
