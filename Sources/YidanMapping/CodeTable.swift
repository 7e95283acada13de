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
        key.trimmingCharacters(in: .whitespaces).lowercased()
    }

    func callAsFunction(_ key: String) -> String? {
        map[Self.normalize(key)]
    }

    /// The rule text of the `FieldIssue` for a key that is not in the table,
    /// e.g. `has no customs unit code in Mappings/tables/unit.csv`.
    var missRule: String {
        "has no \(valueColumn) \(table) code in Mappings/tables/\(table).csv"
    }
}
