import Foundation
import YidanCore

/// One code table from `Mappings/tables/*.csv`: a header row naming the
/// columns, then one row per code. A column whose name is `aliases` holds
/// several keys separated by `|` (e.g. `piece|pcs|个`).
///
/// Tables are read once by `MappingCatalog`; each lookup a mapping file names
/// is compiled into a `CodeLookup` (a dictionary), so mapping an order never
/// scans a table.
struct CodeTable: Sendable {
    /// The table's name: the file name without `.csv` (`unit`, `country`, …).
    let name: String
    let columns: [String]
    let rows: [[String]]

    init(name: String, csv text: String) throws {
        // `#` lines before the header say where a table comes from.
        let table = try CSVTable(csv: text, name: "Mappings/tables/\(name).csv", comments: .beforeHeader)
        self.init(name: name, table: table)
    }

    init(contentsOf url: URL) throws {
        let name = url.deletingPathExtension().lastPathComponent
        let table = try CSVTable(contentsOf: url, name: "Mappings/tables/\(name).csv", comments: .beforeHeader)
        self.init(name: name, table: table)
    }

    private init(name: String, table: CSVTable) {
        self.name = name
        self.columns = table.header
        self.rows = table.records.map(\.fields)
    }

    func columnIndex(_ column: String) -> Int? {
        columns.firstIndex(of: column)
    }

    /// Compiles a lookup `from` one or more key columns `to` a value column.
    /// Keys match case-insensitively and ignoring surrounding spaces; when two
    /// rows claim the same key, the first row wins (tables list the preferred
    /// code first).
    func lookup(from keyColumns: [String], to valueColumn: String) throws -> CodeLookup {
        guard let valueIndex = columnIndex(valueColumn) else {
            throw YidanError(.configuration, "Mappings/tables/\(name).csv has no column \(valueColumn) (columns: \(columns.joined(separator: ", ")))")
        }
        var keyIndexes: [(index: Int, isAliasList: Bool)] = []
        for column in keyColumns {
            guard let index = columnIndex(column) else {
                throw YidanError(.configuration, "Mappings/tables/\(name).csv has no column \(column) (columns: \(columns.joined(separator: ", ")))")
            }
            keyIndexes.append((index, column == "aliases"))
        }
        var map: [String: String] = [:]
        for row in rows {
            let value = row[valueIndex].trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { continue }
            for key in keyIndexes {
                let cell = row[key.index]
                let keys = key.isAliasList ? cell.split(separator: "|").map(String.init) : [cell]
                for raw in keys {
                    let normalized = CodeLookup.normalize(raw)
                    if !normalized.isEmpty, map[normalized] == nil { map[normalized] = value }
                }
            }
        }
        return CodeLookup(table: name, valueColumn: valueColumn, map: map)
    }
}

/// A compiled lookup: normalized key → code.
struct CodeLookup: Sendable {
    let table: String
    let valueColumn: String
    let map: [String: String]

    static func normalize(_ key: String) -> String {
        asciiNormalized(key) ?? key.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// `normalize` for an all-ASCII key without Foundation: for ASCII text,
    /// `.whitespaces` is space and tab and `lowercased()` maps A–Z only, so
    /// the result is the same. Nil for any other key.
    private static func asciiNormalized(_ key: String) -> String? {
        let bytes = key.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }),
              let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        let lowered = bytes[first...last].map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        return String(decoding: lowered, as: UTF8.self)
    }

    func callAsFunction(_ key: String) -> String? {
        // Keys in `map` are normalized and `normalize` is idempotent, so a key
        // found as is gives the same code; most keys are, and normalizing
        // (Foundation trimming, lowercasing) cost more than the lookup.
        map[key] ?? map[Self.normalize(key)]
    }

    /// The rule text of the `FieldIssue` for a key that is not in the table,
    /// e.g. `has no customs unit code in Mappings/tables/unit.csv`.
    var missRule: String {
        "has no \(valueColumn) \(table) code in Mappings/tables/\(table).csv"
    }
}
