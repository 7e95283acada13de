public import YidanCore

/// The project's flat CSV of normalized orders (README "Ingest many orders").
///
/// - One row per item. Each header cell is a JSON pointer into the normalized
///   order JSON: order columns such as `/orderNo`, `/buyer/name`,
///   `/logistics/packCount`; item columns `/items/-/sku`, where `-` stands
///   for "this row's item".
/// - Consecutive rows with the same `/orderNo` form one order. Order columns
///   are read from the order's first row; later rows leave them empty or
///   repeat the same value.
/// - An empty cell means the field is not given. Cells are JSON strings,
///   except the whole-number columns (`/logistics/packCount`).
/// - A row whose item cells are all empty adds no item.
public enum NormalizedOrderCSV {
    /// Order columns that hold JSON numbers rather than strings.
    public static let integerColumns: Set<String> = ["/logistics/packCount"]

    /// Every column, in the canonical order of the normalized order JSON.
    public static let columns: [String] = {
        typealias Fields = NormalizedOrderJSON.Fields
        let nested: [String: [String]] = [
            "buyer": Fields.buyer, "consignee": Fields.consignee, "payment": Fields.payment,
            "logistics": Fields.logistics, "enterprises": Fields.enterprises, "customs": Fields.customs,
        ]
        var columns: [String] = []
        for field in Fields.order {
            if field == "items" {
                columns += Fields.item.map { "/items/-/\($0)" }
            } else if let members = nested[field] {
                columns += members.map { "/\(field)/\($0)" }
            } else {
                columns.append("/\(field)")
            }
        }
        return columns
    }()

    /// The header line, then one line per item of each order (LF line ends).
    public static func encode(_ orders: [NormalizedOrder]) -> String {
        var text = line(columns)
        for order in orders {
            for row in rows(order) { text += line(row) }
        }
        return text
    }

    /// The cells of an order's rows under `columns`; order columns are
    /// repeated on every row, so sorting a spreadsheet by order keeps it whole.
    public static func rows(_ order: NormalizedOrder) -> [[String]] {
        let document = OrderEncoder.document(order)
        guard case let .array(items)? = document["items"] else { return [] }
        return items.map { item in
            columns.map { column in
                let segments = column.split(separator: "/").map(String.init)
                if segments.first == "items" {
                    return cell(item, Array(segments.dropFirst(2)))
                }
                return cell(document, segments)
            }
        }
    }

    /// One CSV line: fields holding a comma, quote or line break are quoted.
    public static func line(_ cells: [String]) -> String {
        cells.map { cell in
            guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
            return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\n"
    }

    private static func cell(_ value: JSONValue, _ path: [String]) -> String {
        var current = value
        for key in path {
            guard let next = current[key] else { return "" }
            current = next
        }
        switch current {
        case let .string(text), let .number(text): return text
        case let .bool(flag): return flag ? "true" : "false"
        default: return ""
        }
    }
}

/// A parsed CSV header: which column goes where in the order document.
struct CSVHeader {
    enum Target {
        case order([String])
        case item([String])
    }

    struct Column {
        var pointer: String
        var target: Target
    }

    let columns: [Column]
    let orderNoIndex: Int

    /// Checks the header; the message names what is wrong with which cell.
    init(_ cells: [String]) throws(CSVHeaderError) {
        var columns: [Column] = []
        var seen: [String: Int] = [:]
        for (index, cell) in cells.enumerated() {
            let name = "column \(index + 1)"
            guard cell.hasPrefix("/"), cell.count > 1 else {
                throw CSVHeaderError("\(name) \"\(cell)\" is not a JSON pointer such as /orderNo or /items/-/sku")
            }
            if let first = seen[cell] {
                throw CSVHeaderError("\(name) \(cell) repeats column \(first + 1)")
            }
            seen[cell] = index
            let segments = cell.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(Self.unescape)
            guard !segments.contains(where: \.isEmpty) else {
                throw CSVHeaderError("\(name) \(cell) has an empty segment")
            }
            if segments[0] == "items" {
                guard segments.count >= 3, segments[1] == "-" else {
                    throw CSVHeaderError("\(name) \(cell): item columns are written /items/-/<field>, one item per row")
                }
                columns.append(Column(pointer: cell, target: .item(Array(segments.dropFirst(2)))))
            } else {
                columns.append(Column(pointer: cell, target: .order(segments)))
            }
        }
        for column in columns {
            if let other = columns.first(where: { $0.pointer.hasPrefix(column.pointer + "/") }) {
                throw CSVHeaderError("column \(column.pointer) holds a value where \(other.pointer) needs an object")
            }
        }
        guard let orderNo = seen["/orderNo"] else {
            throw CSVHeaderError("has no /orderNo column; rows are grouped into orders by it")
        }
        self.columns = columns
        self.orderNoIndex = orderNo
    }

    /// RFC 6901: "~1" → "/", "~0" → "~".
    static func unescape(_ segment: Substring) -> String {
        segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    func value(_ cell: String, column: Column) -> JSONValue {
        if NormalizedOrderCSV.integerColumns.contains(column.pointer), !cell.isEmpty, cell.utf8.allSatisfy(ASCIIClass.digit) {
            return .number(cell)
        }
        return .string(cell)
    }
}

struct CSVHeaderError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension JSONValue {
    /// Sets a member at a path of object keys, creating objects on the way;
    /// members keep the order they were first set in.
    mutating func insert(_ value: JSONValue, at path: ArraySlice<String>) {
        guard let key = path.first else {
            self = value
            return
        }
        var members: [(key: String, value: JSONValue)] = []
        if case let .object(existing) = self { members = existing }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value.insert(value, at: path.dropFirst())
        } else {
            var child = JSONValue.object([])
            child.insert(value, at: path.dropFirst())
            members.append((key, child))
        }
        self = .object(members)
    }
}
