import Foundation
import YidanCore

/// Reads RFC 4180 CSV records from a file in chunks: comma separated, fields
/// optionally in double quotes (a quote inside doubled, line breaks allowed
/// inside quotes), lines ended by LF or CRLF, UTF-8 with an optional byte
/// order mark. Memory is one chunk plus one record.
///
/// A syntax error (an unterminated quote, text after a closing quote, invalid
/// UTF-8, a record over `maxRecordBytes`) ends the file: after a broken quote
/// no later record boundary can be trusted.
final class CSVRecordReader {
    struct Record {
        var fields: [String]
        /// The physical lines the record spans (a quoted field may hold line breaks).
        var firstLine: Int
        var lastLine: Int
    }

    struct SyntaxError: Error {
        var line: Int
        var message: String
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    private let handle: FileHandle
    private let name: String
    private let chunkSize: Int
    let maxRecordBytes: Int
    private var chunk: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var startOfFile = true

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var recordBytes = 0
    private var line = 1
    private var recordFirstLine = 1

    init(handle: FileHandle, name: String, chunkSize: Int = 64 * 1024, maxRecordBytes: Int = 1 << 20) {
        self.handle = handle
        self.name = name
        self.chunkSize = chunkSize
        self.maxRecordBytes = maxRecordBytes
    }

    /// The next record with at least one non-empty field (empty lines are
    /// skipped); nil at the end. Throws `SyntaxError` for broken CSV and
    /// `YidanError` when the file cannot be read.
    func next() throws -> Record? {
        while true {
            if position == chunk.count {
                if atEnd { return try finish() }
                try refill()
                continue
            }
            let byte = chunk[position]
            position += 1
            recordBytes += 1
            guard recordBytes <= maxRecordBytes else {
                throw SyntaxError(line: recordFirstLine, message: "a record is longer than \(maxRecordBytes) bytes")
            }
            if let record = try consume(byte) { return record }
        }
    }

    private func consume(_ byte: UInt8) throws -> Record? {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
        switch state {
        case .fieldStart, .unquoted:
            switch byte {
            case quote where state == .fieldStart: state = .quoted
            case comma: try endField(); state = .fieldStart
            case newline: return try endRecord()
            case carriageReturn: break  // part of CRLF; a lone CR in an unquoted field is dropped
            default: field.append(byte); state = .unquoted
            }
        case .quoted:
            if byte == quote {
                state = .quoteInQuoted
            } else {
                if byte == newline { line += 1 }
                field.append(byte)
            }
        case .quoteInQuoted:
            switch byte {
            case quote: field.append(quote); state = .quoted
            case comma: try endField(); state = .fieldStart
            case newline: return try endRecord()
            case carriageReturn: break
            default:
                throw SyntaxError(line: line, message: "unexpected character after a closing quote (a quote inside a quoted field must be doubled)")
            }
        }
        return nil
    }

    private func endField() throws {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw SyntaxError(line: line, message: "is not UTF-8 (save the export as UTF-8)")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
    }

    /// Ends the record at a line break; returns it unless the line was empty.
    private func endRecord() throws -> Record? {
        try endField()
        let record = Record(fields: fields, firstLine: recordFirstLine, lastLine: line)
        fields.removeAll(keepingCapacity: true)
        state = .fieldStart
        recordBytes = 0
        line += 1
        recordFirstLine = line
        return record.fields.allSatisfy(\.isEmpty) ? nil : record
    }

    private func finish() throws -> Record? {
        switch state {
        case .quoted:
            throw SyntaxError(line: recordFirstLine, message: "a quoted field is not closed before the end of the file")
        case .fieldStart where fields.isEmpty && field.isEmpty:
            return nil
        default:
            try endField()
            let record = Record(fields: fields, firstLine: recordFirstLine, lastLine: line)
            fields.removeAll()
            state = .fieldStart
            return record.fields.allSatisfy(\.isEmpty) ? nil : record
        }
    }

    private func refill() throws {
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw YidanError(.unreadableInput, "cannot read \(name) at line \(line)", cause: error)
        }
        guard let data, !data.isEmpty else {
            atEnd = true
            chunk = []
            position = 0
            return
        }
        chunk = Array(data)
        position = 0
        if startOfFile {
            startOfFile = false
            if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        }
    }
}
