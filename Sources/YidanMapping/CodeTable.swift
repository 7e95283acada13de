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
        self.name = name
        var records = try CSVReader.records(in: Self.droppingLeadingComments(text))
        guard !records.isEmpty else {
            throw YidanError(.configuration, "Mappings/tables/\(name).csv is empty: it needs a header row")
        }
        let header = records.removeFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        self.columns = header
        self.rows = records.filter { !($0.count == 1 && $0[0].isEmpty) }
        for (offset, row) in rows.enumerated() where row.count != header.count {
            throw YidanError(
                .configuration,
                "Mappings/tables/\(name).csv row \(offset + 2) has \(row.count) fields, the header has \(header.count)"
            )
        }
    }

    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw YidanError(.configuration, "cannot read code table \(url.lastPathComponent)", cause: error)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YidanError(.configuration, "code table \(url.lastPathComponent) is not UTF-8")
        }
        // A UTF-8 byte-order mark would otherwise become part of the first column's name.
        let cleaned = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        try self.init(name: url.deletingPathExtension().lastPathComponent, csv: cleaned)
    }

    /// Lines starting with `#` before the header say where a table comes from.
    static func droppingLeadingComments(_ text: String) -> Substring {
        var rest = Substring(text)
        while rest.hasPrefix("#") || rest.hasPrefix("\n") || rest.hasPrefix("\r\n") {
            guard let end = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) else { return "" }
            rest = rest[rest.index(after: end)...]
        }
        return rest
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

/// RFC 4180 CSV: commas, double-quoted fields with `""` for a quote, CRLF or LF.
enum CSVReader {
    static func records(in text: Substring) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending { pending = nil; return scalar }
            return iterator.next()
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    let following = next()
                    if following == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        pending = following
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty && !fieldWasQuoted:
                inQuotes = true
                fieldWasQuoted = true
            case ",":
                record.append(field)
                field = ""
                fieldWasQuoted = false
            case "\r":
                continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                fieldWasQuoted = false
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw YidanError(.configuration, "a CSV code table ends inside a quoted field")
        }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
