public import Foundation
import YidanCore

/// A CSV export in the project's flat format (`NormalizedOrderCSV`): groups
/// consecutive rows with the same `/orderNo` into one order document.
/// Holds one order's rows at a time; a group over `maxRowsPerOrder` rows is
/// refused without being kept.
public final class CSVOrderSource: OrderDocumentSource {
    public static let maxRowsPerOrder = 999

    private let reader: CSVRecordReader
    private let handle: FileHandle
    private let displayName: String
    private var header: CSVHeader?
    private var lookahead: CSVRecordReader.Record?
    private var finished = false
    /// A syntax error met while looking for the end of an order: reported
    /// after that order, which was complete.
    private var pendingError: CSVRecordReader.SyntaxError?

    public init(url: URL, displayName: String) throws {
        handle = try OrderFiles.open(url, displayName: displayName)
        reader = CSVRecordReader(handle: handle, name: displayName)
        self.displayName = displayName
    }

    public func next() throws -> OrderDocument? {
        guard !finished else { return nil }
        do {
            if let pendingError { throw pendingError }
            guard let header = try readHeader() else { return finish() }
            guard let first = try lookahead ?? reader.next() else { return finish() }
            lookahead = nil
            let orderNo = cell(first, header.orderNoIndex)
            var rows = [first]
            var overflow = 0
            while let record = try nextRecordOrPendingError() {
                guard cell(record, header.orderNoIndex) == orderNo else {
                    lookahead = record
                    break
                }
                if rows.count < Self.maxRowsPerOrder { rows.append(record) } else { overflow += 1 }
            }
            return document(rows: rows, overflow: overflow, header: header)
        } catch let error as CSVRecordReader.SyntaxError {
            finished = true
            try? handle.close()
            return OrderDocument(location: "\(displayName):\(error.line)", content: .unreadable([FieldIssue(
                pointer: "", value: nil, rule: "is not valid CSV: \(error.message); the rest of the file is not read"
            )]))
        } catch let error as CSVHeaderError {
            finished = true
            try? handle.close()
            return OrderDocument(location: "\(displayName):1", content: .unreadable([FieldIssue(
                pointer: "", value: nil, rule: "CSV header \(error.message)"
            )]))
        }
    }

    private func nextRecordOrPendingError() throws -> CSVRecordReader.Record? {
        do {
            return try reader.next()
        } catch let error as CSVRecordReader.SyntaxError {
            pendingError = error
            return nil
        }
    }

    private func finish() -> OrderDocument? {
        finished = true
        try? handle.close()
        return nil
    }

    private func readHeader() throws -> CSVHeader? {
        if let header { return header }
        guard let record = try reader.next() else { return nil }
        let parsed = try CSVHeader(record.fields)
        header = parsed
        return parsed
    }

    private func cell(_ record: CSVRecordReader.Record, _ index: Int) -> String {
        index < record.fields.count ? record.fields[index] : ""
    }

    /// Builds the order's JSON document from its rows; shape problems of the
    /// rows themselves become issues, the order's fields are the decoder's job.
    private func document(rows: [CSVRecordReader.Record], overflow: Int, header: CSVHeader) -> OrderDocument {
        let firstLine = rows[0].firstLine
        let lastLine = rows[rows.count - 1].lastLine
        let location = firstLine == lastLine ? "\(displayName):\(firstLine)" : "\(displayName):\(firstLine)-\(lastLine)"
        var issues: [FieldIssue] = []
        if overflow > 0 {
            issues.append(FieldIssue(pointer: "/items", value: nil, rule: "has \(Self.maxRowsPerOrder + overflow) rows; one order has at most \(Self.maxRowsPerOrder)"))
        }
        var root = JSONValue.object([])
        var firstValues: [Int: (value: String, line: Int)] = [:]
        var items: [JSONValue] = []
        let hasItemColumns = header.columns.contains { if case .item = $0.target { true } else { false } }
        for row in rows {
            if row.fields.count != header.columns.count {
                issues.append(FieldIssue(pointer: "", value: nil, rule: "line \(row.firstLine) has \(row.fields.count) cells, the header has \(header.columns.count)"))
                continue
            }
            var item = JSONValue.object([])
            var itemHasCells = false
            for (index, column) in header.columns.enumerated() {
                let text = row.fields[index]
                guard !text.isEmpty else { continue }
                switch column.target {
                case let .order(path):
                    if let first = firstValues[index] {
                        if first.value != text {
                            issues.append(FieldIssue(pointer: column.pointer, value: nil, rule: "line \(row.firstLine) differs from the order's first value (line \(first.line)); order columns must repeat the same value or stay empty"))
                        }
                    } else {
                        firstValues[index] = (text, row.firstLine)
                        root.insert(header.value(text, column: column), at: path[...])
                    }
                case let .item(path):
                    item.insert(header.value(text, column: column), at: path[...])
                    itemHasCells = true
                }
            }
            if itemHasCells { items.append(item) }
        }
        if hasItemColumns { root.insert(.array(items), at: ["items"]) }
        if !issues.isEmpty {
            return OrderDocument(location: location, content: .unreadable(issues), orderNo: cell(rows[0], header.orderNoIndex))
        }
        return OrderDocument(location: location, content: .json([root]))
    }
}
