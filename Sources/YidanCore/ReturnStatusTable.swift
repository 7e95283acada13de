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
        // Comment lines (starting with '#') are blanked, keeping line numbers right.
        let uncommented = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") ? "" : String($0) }
            .joined(separator: "\n")
        let records = try CSVRecords.parse(uncommented).filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        guard let header = records.first else {
            throw YidanError(.configuration, "return-status table is empty")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard names == ["scope", "code", "status", "zh", "en"] else {
            throw YidanError(.configuration, "return-status table header must be scope,code,status,zh,en")
        }
        var rows: [Row] = []
        for record in records.dropFirst() {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 5 else {
                throw YidanError(.configuration, "return-status table line \(record.line): expected 5 fields, found \(fields.count)")
            }
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

/// A small RFC 4180 reader: commas, double-quoted fields with `""` escapes and
/// line breaks inside quotes, CRLF or LF line ends.
struct CSVRecords {
    struct Record {
        var line: Int
        var fields: [String]
    }

    static func parse(_ text: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
            fields = []
            field = ""
            fieldStarted = false
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.append("\"") } else { inQuotes = false; pending = following }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" || c == "\r\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !fieldStarted:
                inQuotes = true
                fieldStarted = true
            case ",":
                fields.append(field)
                field = ""
                fieldStarted = false
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
                fieldStarted = true
            }
        }
        if inQuotes {
            throw YidanError(.configuration, "CSV line \(recordLine): unterminated quoted field")
        }
        if !field.isEmpty || !fields.isEmpty || fieldStarted {
            endRecord()
        }
        // A leading byte-order mark belongs to no field.
        if var first = records.first, let name = first.fields.first, name.hasPrefix("\u{FEFF}") {
            first.fields[0] = String(name.dropFirst())
            records[0] = first
        }
        return records
    }
}
