import Testing
import YidanCore

@Suite("CSVTable: the project's one RFC 4180 reader")
struct CSVTableTests {
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as YidanError {
            #expect(error.code == .configuration)
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func headerRecordsAndLineNumbers() throws {
        let text = "# where this comes from, with a comma\n#  and \"quotes\"\n\nmonth,currency,rate\n2025-05,USD,7.2029\n\n2025-05,JPY,0.049872\n"
        let table = try CSVTable(csv: text, name: "rates.csv")
        #expect(table.header == ["month", "currency", "rate"])
        #expect(table.headerLine == 4)
        #expect(table.records == [
            CSVTable.Record(line: 5, fields: ["2025-05", "USD", "7.2029"]),
            CSVTable.Record(line: 7, fields: ["2025-05", "JPY", "0.049872"]),
        ])
        #expect(table.column(named: "currency") == 1)
        #expect(table.column(named: " rate ") == 2)
        #expect(table.column(named: "Rate") == nil)
        #expect(table.value("rate", in: table.records[1]) == "0.049872")
        #expect(try table.requiredColumn(named: "month") == 0)
        let missing = Self.message { _ = try table.requiredColumn(named: "note") }
        #expect(missing == "rates.csv has no column note (columns: month, currency, rate)")
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n12\" screen,\"\",last\n"
        let table = try CSVTable(csv: text, name: "t.csv")
        #expect(table.records.map(\.fields) == [["x, y", "say \"hi\"", "two\nlines"], ["12\" screen", "", "last"]])
        // The second record starts on line 4, after the two-line field.
        #expect(table.records.map(\.line) == [2, 4])
    }

    @Test func lineEndsBOMAndMissingFinalNewline() throws {
        let expected = [["1", "2"], ["3", "4"]]
        for text in ["\u{FEFF}a,b\r\n1,2\r\n3,4\r\n", "a,b\n1,2\n3,4", "a,b\r1,2\r3,4\r", "a,b\r\n1,2\r\n\r\n3,4"] {
            let table = try CSVTable(csv: text, name: "t.csv")
            #expect(table.header == ["a", "b"], "\(text.debugDescription)")
            #expect(table.records.map(\.fields) == expected, "\(text.debugDescription)")
        }
        let crlf = try CSVTable(csv: "a,b\r\n1,\"x\r\ny\"\r\n3,4\r\n", name: "t.csv")
        #expect(crlf.records.map(\.line) == [2, 4])
        #expect(crlf.records[0].fields[1] == "x\r\ny")
    }

    @Test func commentsAfterTheHeaderAreDataUnlessAllowedAnywhere() throws {
        let text = "code,name\n#1,hash\n  # note\n2,two\n"
        let strict = Self.message { _ = try CSVTable(csv: text, name: "t.csv") }
        // "  # note" is one field: a record of the wrong width, reported with its line.
        #expect(strict?.contains("t.csv line 3: expected 2 fields") == true, "\(strict ?? "")")
        let lenient = try CSVTable(csv: text, name: "t.csv", comments: .anywhere)
        #expect(lenient.records == [CSVTable.Record(line: 4, fields: ["2", "two"])])
        let data = try CSVTable(csv: "code,name\n#1,hash\n", name: "t.csv")
        #expect(data.records.map(\.fields) == [["#1", "hash"]])
    }

    @Test("bad files are refused naming file and line", arguments: [
        ("", "t.csv is empty: it needs a header row"),
        ("# only a comment\n\n", "t.csv is empty: it needs a header row"),
        ("a,b\n1,2\n3\n", "t.csv line 3: expected 2 fields as in the header (a,b), found 1"),
        ("a,b\n1,\"open\n2,3\n", "t.csv line 2: unterminated quoted field"),
        ("a,b\n\n1,\"x\"y\n", "t.csv line 3: text after the closing quote of field 2"),
        ("a,b,a\n1,2,3\n", "t.csv line 1: the header names column \"a\" twice"),
    ])
    func refused(text: String, expected: String) {
        let message = Self.message { _ = try CSVTable(csv: text, name: "t.csv") }
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "no error")")
    }

    @Test func theIncrementalParserMatchesWholeTextWhateverThePieces() throws {
        let text = "\u{FEFF}# c\r\nk,v\r\n1,\"a\r\nb\"\r\n2,\"x,\"\"y\"\"\"\r\n\r\n3,z"
        let whole = try CSVTable(csv: text, name: "t.csv")
        for size in [1, 2, 3, 7] {
            var parser = CSVRecordParser(name: "t.csv")
            var records: [CSVTable.Record] = []
            let scalars = Array(text.unicodeScalars)
            var start = 0
            while start < scalars.count {
                let end = min(start + size, scalars.count)
                var piece = ""
                piece.unicodeScalars.append(contentsOf: scalars[start..<end])
                records += try parser.feed(piece)
                start = end
            }
            records += try parser.finish()
            #expect(records.first == CSVTable.Record(line: 2, fields: ["k", "v"]), "size \(size)")
            #expect(Array(records.dropFirst()) == whole.records, "size \(size)")
        }
        #expect(whole.records.map(\.line) == [3, 5, 7])
    }

    @Test func theProjectTablesStillRead() throws {
        let tables = RatesTestPaths.root.appendingPathComponent("Mappings/tables")
        for name in ["country", "currency", "unit", "return-status", "tax-rates", "transport-mode", "id-type"] {
            let table = try CSVTable(contentsOf: tables.appendingPathComponent("\(name).csv"))
            #expect(!table.records.isEmpty, "\(name)")
        }
        let taxRates = try TaxRateTable(csv: String(contentsOf: tables.appendingPathComponent("tax-rates.csv"), encoding: .utf8))
        #expect(!taxRates.rates.isEmpty)
        let returnStatus = try ReturnStatusTable(csv: String(contentsOf: tables.appendingPathComponent("return-status.csv"), encoding: .utf8))
        #expect(returnStatus.status(for: "800", receipt: .ceb622) == .released)
    }
}
