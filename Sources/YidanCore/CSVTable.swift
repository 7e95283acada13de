public import Foundation

/// A CSV file with a header row, read by the one RFC 4180 reader of the project.
///
/// What it accepts:
/// - comma-separated fields; a field may be double-quoted, and then holds
///   commas, line breaks and `""` for one quote (RFC 4180). Text after a
///   closing quote other than a comma or the line end is refused; a quote
///   inside an unquoted field is kept as text (`12" screen`).
/// - CRLF, LF or CR line ends; a leading UTF-8 byte-order mark.
/// - blank lines (only spaces or tabs) anywhere: skipped.
/// - comment lines, whose first non-blank character is `#`: skipped before
///   the header (where tables say where they come from), and with
///   `comments: .anywhere` also between records.
///
/// The first remaining record is the header (names trimmed of spaces, each
/// name once). Every record must have as many fields as the header. Records
/// keep the 1-based line their text starts on, so errors can point at it.
public struct CSVTable: Sendable, Equatable {
    public struct Record: Sendable, Equatable {
        /// 1-based line of the file where the record starts.
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }

        public subscript(index: Int) -> String { fields[index] }
    }

    /// Where `#` comment lines are allowed.
    public enum CommentLines: Sendable, Equatable {
        /// Only before the header: a later line starting with `#` is data.
        case beforeHeader
        /// Before the header and between records.
        case anywhere
    }

    /// How errors name the table, e.g. `Mappings/tables/unit.csv`.
    public let name: String
    public let header: [String]
    public let headerLine: Int
    public let records: [Record]

    /// Parses `text`. Errors are `YidanError(.configuration)` naming `name` and the line.
    public init(csv text: some StringProtocol, name: String, comments: CommentLines = .beforeHeader) throws(YidanError) {
        var parser = CSVRecordParser(name: name, comments: comments)
        var all = try parser.feed(text)
        all += try parser.finish()
        guard let first = all.first else {
            throw YidanError(.configuration, "\(name) is empty: it needs a header row")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen: Set<String> = []
        for column in header where !seen.insert(column).inserted {
            throw YidanError(.configuration, "\(name) line \(first.line): the header names column \"\(column)\" twice")
        }
        let records = Array(all.dropFirst())
        for record in records where record.fields.count != header.count {
            throw YidanError(
                .configuration,
                "\(name) line \(record.line): expected \(header.count) fields as in the header (\(header.joined(separator: ","))), found \(record.fields.count)"
            )
        }
        self.name = name
        self.header = header
        self.headerLine = first.line
        self.records = records
    }

    /// Reads a UTF-8 file; `name` defaults to the file name.
    public init(contentsOf url: URL, name: String? = nil, comments: CommentLines = .beforeHeader) throws(YidanError) {
        let label = name ?? url.lastPathComponent
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw YidanError(.configuration, "cannot read \(label)", cause: error)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YidanError(.configuration, "\(label) is not UTF-8 text")
        }
        try self.init(csv: text, name: label, comments: comments)
    }

    /// The index of the column called `name` (exact, after trimming spaces).
    public func column(named name: String) -> Int? {
        header.firstIndex(of: name.trimmingCharacters(in: .whitespaces))
    }

    /// The index of a column the caller needs; the error lists the columns there are.
    public func requiredColumn(named column: String) throws(YidanError) -> Int {
        guard let index = self.column(named: column) else {
            throw YidanError(.configuration, "\(name) has no column \(column) (columns: \(header.joined(separator: ", ")))")
        }
        return index
    }

    /// The field of `record` in the column called `column`, nil when there is no such column.
    public func value(_ column: String, in record: Record) -> String? {
        self.column(named: column).map { record.fields[$0] }
    }
}

/// The incremental RFC 4180 reader behind `CSVTable`, for files too large to
/// hold: feed it text in pieces of any size (a piece may end inside a quoted
/// field or between CR and LF) and it returns the records completed so far.
/// The first record it returns is the header; it does not check field counts.
public struct CSVRecordParser: Sendable {
    private enum State: Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted, comment
    }

    public let name: String
    public let comments: CSVTable.CommentLines
    private var state: State = .fieldStart
    private var fields: [String] = []
    private var field = ""
    private var fieldWasQuoted = false
    /// Line of the next scalar (1-based) and line where the current record began.
    private var line = 1
    private var recordLine = 1
    private var afterCR = false
    private var atFileStart = true
    private var emitted = 0

    public init(name: String, comments: CSVTable.CommentLines = .beforeHeader) {
        self.name = name
        self.comments = comments
    }

    /// Records completed by `text` (possibly none).
    public mutating func feed(_ text: some StringProtocol) throws(YidanError) -> [CSVTable.Record] {
        var out: [CSVTable.Record] = []
        for scalar in text.unicodeScalars {
            try consume(scalar, into: &out)
        }
        return out
    }

    /// Ends the input: the last record when the text has no final line end.
    public mutating func finish() throws(YidanError) -> [CSVTable.Record] {
        var out: [CSVTable.Record] = []
        switch state {
        case .quoted:
            throw YidanError(.configuration, "\(name) line \(recordLine): unterminated quoted field (a \" opened on this line is never closed)")
        case .comment:
            state = .fieldStart
        case .fieldStart:
            if !fields.isEmpty { endRecord(into: &out) }
        case .unquoted:
            if fields.isEmpty, field.allSatisfy({ $0 == " " || $0 == "\t" }) {
                field = ""  // trailing blanks, not a record
            } else {
                endRecord(into: &out)
            }
        case .quoteInQuoted:
            endRecord(into: &out)
        }
        return out
    }

    private var commentsAllowed: Bool {
        comments == .anywhere || emitted == 0
    }

    private mutating func consume(_ scalar: Unicode.Scalar, into out: inout [CSVTable.Record]) throws(YidanError) {
        if atFileStart {
            atFileStart = false
            if scalar == "\u{FEFF}" { return }
        }
        // LF right after CR: the CR already ended the line.
        if afterCR {
            afterCR = false
            if scalar == "\n" {
                if state == .quoted { field.unicodeScalars.append(scalar) }
                return
            }
        }
        let isLineEnd = scalar == "\n" || scalar == "\r"
        if isLineEnd {
            afterCR = scalar == "\r"
        }
        switch state {
        case .comment:
            if isLineEnd {
                line += 1
                recordLine = line
                state = .fieldStart
            }
        case .quoted:
            if scalar == "\"" {
                state = .quoteInQuoted
            } else {
                if isLineEnd { line += 1 }
                field.unicodeScalars.append(scalar)
            }
        case .quoteInQuoted:
            if scalar == "\"" {
                field.unicodeScalars.append(scalar)
                state = .quoted
            } else if scalar == "," {
                endField()
            } else if isLineEnd {
                endRecord(into: &out)
                nextLine()
            } else {
                throw YidanError(
                    .configuration,
                    "\(name) line \(line): text after the closing quote of field \(fields.count + 1) (write \"\" for a quote inside a quoted field)"
                )
            }
        case .fieldStart, .unquoted:
            switch scalar {
            case "\"" where state == .fieldStart:
                state = .quoted
                fieldWasQuoted = true
            case "#" where fields.isEmpty && commentsAllowed && field.allSatisfy({ $0 == " " || $0 == "\t" }):
                field = ""
                state = .comment
            case ",":
                endField()
            case "\n", "\r":
                if fields.isEmpty, !fieldWasQuoted, field.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    field = ""  // a blank line
                    state = .fieldStart
                } else {
                    endRecord(into: &out)
                }
                nextLine()
            case " ", "\t":
                // Leading blanks keep the field open to a later `#` test but not to a quote.
                field.unicodeScalars.append(scalar)
                state = .unquoted
            default:
                field.unicodeScalars.append(scalar)
                state = .unquoted
            }
        }
    }

    private mutating func nextLine() {
        line += 1
        recordLine = line
    }

    private mutating func endField() {
        fields.append(field)
        field = ""
        fieldWasQuoted = false
        state = .fieldStart
    }

    private mutating func endRecord(into out: inout [CSVTable.Record]) {
        endField()
        out.append(CSVTable.Record(line: recordLine, fields: fields))
        fields = []
        emitted += 1
    }
}
