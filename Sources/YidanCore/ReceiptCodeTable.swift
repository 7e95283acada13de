public import Foundation

/// What a receipt's `returnStatus` means, in Chinese and English, read from
/// `Mappings/tables/receipt-codes.csv`: every processing code of every receipt
/// kind, the data-exchange platform errors (spec table 7-1) and the business
/// error codes (spec table 7-2) customs sends as negative returnStatus values.
/// It explains only; which status a code moves a filing to is `ReturnStatusTable`'s.
///
/// CSV header: `scope,code,category,zh,en`. `scope` is `*` or a receipt kind
/// (a row for the kind wins over a `*` row); `code` is the exact text;
/// `category` one of `ReceiptCodeTable.Category`.
public struct ReceiptCodeTable: Sendable {
    public enum Category: String, Sendable, Hashable, CaseIterable {
        /// A processing step (declaring, stored, released …).
        case status
        /// The authority refused the content.
        case refusal
        /// A data-exchange platform error (four digits).
        case exchange
        /// A business error (a negative number naming what was wrong).
        case business
    }

    public struct Row: Sendable, Equatable {
        public var scope: ReceiptKind?
        public var code: String
        public var category: Category
        public var zh: String
        public var en: String

        public init(scope: ReceiptKind?, code: String, category: Category, zh: String, en: String) {
            self.scope = scope
            self.code = code
            self.category = category
            self.zh = zh
            self.en = en
        }
    }

    public let rows: [Row]
    private let index: [Key: Row]

    private struct Key: Hashable {
        var scope: ReceiptKind?
        var code: String
    }

    /// Parses the CSV text. Throws `YidanError(.configuration)` naming the line
    /// of the first bad row or of a (scope, code) stated twice.
    public init(csv text: String) throws {
        let name = "receipt-codes table"
        let table = try CSVTable(csv: text, name: name, comments: .anywhere)
        guard table.header.map({ $0.lowercased() }) == ["scope", "code", "category", "zh", "en"] else {
            throw YidanError(.configuration, "\(name) header must be scope,code,category,zh,en")
        }
        var rows: [Row] = []
        var index: [Key: Row] = [:]
        for record in table.records {
            let fields = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.allSatisfy(\.isEmpty) { continue }
            let scope: ReceiptKind?
            if fields[0] == "*" {
                scope = nil
            } else if let kind = ReceiptKind(rawValue: fields[0].uppercased()) {
                scope = kind
            } else {
                throw YidanError(.configuration, "\(name) line \(record.line): unknown scope '\(fields[0])'")
            }
            guard !fields[1].isEmpty else {
                throw YidanError(.configuration, "\(name) line \(record.line): empty code")
            }
            guard let category = Category(rawValue: fields[2]) else {
                throw YidanError(.configuration, "\(name) line \(record.line): unknown category '\(fields[2])'")
            }
            guard !fields[3].isEmpty, !fields[4].isEmpty else {
                throw YidanError(.configuration, "\(name) line \(record.line): both zh and en text are needed")
            }
            let row = Row(scope: scope, code: fields[1], category: category, zh: fields[3], en: fields[4])
            let key = Key(scope: scope, code: row.code)
            guard index[key] == nil else {
                throw YidanError(.configuration, "\(name) line \(record.line): code \(row.code) for \(fields[0]) is stated twice")
            }
            index[key] = row
            rows.append(row)
        }
        self.rows = rows
        self.index = index
    }

    /// The row that explains `code` on a receipt of `kind`: the kind's own row, else the `*` row.
    public func row(kind: ReceiptKind, code: String) -> Row? {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        return index[Key(scope: kind, code: trimmed)] ?? index[Key(scope: nil, code: trimmed)]
    }

    /// What `code` means on a receipt of `kind`, in Chinese and English; nil when the table does not know it.
    public func explain(kind: ReceiptKind, code: String) -> (zh: String, en: String)? {
        row(kind: kind, code: code).map { ($0.zh, $0.en) }
    }

    /// The table at `Mappings/tables/receipt-codes.csv` under a mappings directory.
    public static func load(mappingsDirectory: URL) throws -> ReceiptCodeTable {
        let url = mappingsDirectory.appendingPathComponent("tables/receipt-codes.csv")
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read \(url.path)", cause: error)
        }
        return try ReceiptCodeTable(csv: text)
    }
}
