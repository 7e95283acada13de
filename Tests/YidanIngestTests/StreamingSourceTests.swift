import Foundation
import Testing
import YidanCore
@testable import YidanIngest

/// Order sources: JSON Lines, .json files, folders and the line reader under them.
@Suite struct StreamingSourceTests {
    @Test func jsonLinesSkipBlankLinesAndRefuseBadLinesByLineNumber() throws {
        let folder = try StreamingFixtures.folder("jsonl")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try StreamingFixtures.orders()
        let invalid = try OrderFixtures.milkPowder().setting(["items", "0", "gcode"], to: .string("12345"))
        let lines = [
            StreamingFixtures.line(orders[0]),
            "",
            "   ",
            "{\"orderNo\": \"BROKEN-1\", \"items\": [1, 2,]}",
            StreamingFixtures.line(invalid),
            StreamingFixtures.line(orders[1]) + "\r",
        ]
        let file = folder.appendingPathComponent("orders.jsonl")
        try StreamingFixtures.write(lines.joined(separator: "\n"), to: file)  // no newline after the last line

        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [file.path]))
        #expect(documents.map(\.location) == ["\(file.path):1", "\(file.path):4", "\(file.path):5", "\(file.path):6"])
        #expect(documents[0].order == orders[0])
        #expect(documents[3].order == orders[1])

        // The malformed line: refused with its column, never a crash; no order number is guessed.
        #expect(documents[1].order == nil)
        #expect(documents[1].orderNo == nil)
        let syntax = try #require(documents[1].issues.first)
        #expect(syntax.pointer == "")
        #expect(syntax.rule.hasPrefix("is not valid JSON: column 40:"), "\(syntax.rule)")

        // The invalid order: named by its number, every problem by pointer.
        #expect(documents[2].orderNo == "YD20261129-0001")
        #expect(documents[2].issues.contains { $0.pointer == "/items/0/gcode" && $0.value == "12345" })
    }

    @Test func lineReaderHandlesChunkEdgesLineEndsAndOverlongLines() throws {
        let folder = try StreamingFixtures.folder("lines")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("lines.txt")
        let long = String(repeating: "x", count: 50)
        try Data([0xEF, 0xBB, 0xBF] + Array("first\r\nsecond\n\(long)\nthird\n\nlast".utf8)).write(to: file)
        // A 7-byte chunk puts line ends on every kind of chunk boundary.
        let reader = LineReader(handle: try FileHandle(forReadingFrom: file), name: "lines.txt", chunkSize: 7, maxLineBytes: 20)
        var seen: [String] = []
        while let line = try reader.nextLine() {
            switch line {
            case let .text(bytes): seen.append("\(reader.lineNumber):" + String(decoding: bytes, as: UTF8.self))
            case let .tooLong(bytes): seen.append("\(reader.lineNumber):too long \(bytes)")
            }
        }
        #expect(seen == ["1:first", "2:second", "3:too long 50", "4:third", "5:", "6:last"])
    }

    @Test func jsonFileHoldsOneOrderOrAList() throws {
        let folder = try StreamingFixtures.folder("json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try StreamingFixtures.orders()
        let list = folder.appendingPathComponent("list.json")
        try StreamingFixtures.write("[" + orders.prefix(3).map(StreamingFixtures.line).joined(separator: ",\n") + "]", to: list)
        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [list.path, OrderFixtures.orders.appendingPathComponent("milk-powder-9610.json").path]))
        #expect(documents.map(\.location).prefix(3) == ["\(list.path)#/0", "\(list.path)#/1", "\(list.path)#/2"])
        #expect(documents.prefix(3).compactMap(\.order) == Array(orders.prefix(3)))
        #expect(documents[3].order?.orderNo == "YD20261129-0001")

        let malformed = try StreamingFixtures.drain(OrderSourceList(paths: [OrderFixtures.invalid.appendingPathComponent("malformed.json").path]))
        #expect(malformed.count == 1)
        #expect(malformed[0].issues.first?.rule.contains("is not valid JSON: line") == true)
    }

    @Test func folderReadsOrderFilesSortedAndSkipsTheRest() throws {
        let folder = try StreamingFixtures.folder("folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try StreamingFixtures.orders()
        try StreamingFixtures.write(StreamingFixtures.line(orders[0]), to: folder.appendingPathComponent("b.json"))
        try StreamingFixtures.write(StreamingFixtures.line(orders[1]) + "\n" + StreamingFixtures.line(orders[2]) + "\n", to: folder.appendingPathComponent("a.jsonl"))
        try StreamingFixtures.write(NormalizedOrderCSV.encode([orders[3]]), to: folder.appendingPathComponent("c.csv"))
        try StreamingFixtures.write("not an order", to: folder.appendingPathComponent("notes.txt"))
        try StreamingFixtures.write(StreamingFixtures.line(orders[4]), to: folder.appendingPathComponent(".hidden.json"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub.json"), withIntermediateDirectories: true)

        let list = try OrderSourceList(paths: [folder.path])
        #expect(list.inputs.count == 3)
        let documents = try StreamingFixtures.drain(list)
        #expect(documents.compactMap(\.order) == [orders[1], orders[2], orders[0], orders[3]])
        #expect(documents.map { URL(fileURLWithPath: $0.location).lastPathComponent } == ["a.jsonl:1", "a.jsonl:2", "b.json", "c.csv:2"])
    }

    @Test func missingPathsAndUnknownFilesFailBeforeReading() throws {
        #expect {
            _ = try OrderSourceList(paths: ["/no/such/orders.jsonl"])
        } throws: { ($0 as? YidanError)?.code == .notFound }
        let folder = try StreamingFixtures.folder("unknown")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("orders.txt")
        try StreamingFixtures.write("{}", to: text)
        #expect {
            _ = try OrderSourceList(paths: [text.path])
        } throws: { ($0 as? YidanError)?.code == .notFound }
    }

    @Test func standardInputIsJSONLines() throws {
        let orders = try StreamingFixtures.orders()
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let text = StreamingFixtures.line(orders[0]) + "\n\n" + StreamingFixtures.line(orders[2]) + "\n"
        let thread = Thread {
            writer.write(Data(text.utf8))
            try? writer.close()
        }
        thread.start()
        let documents = try StreamingFixtures.drain(OrderSourceList(paths: ["-"], standardInput: pipe.fileHandleForReading))
        #expect(documents.map(\.location) == ["stdin:1", "stdin:3"])
        #expect(documents.compactMap(\.order) == [orders[0], orders[2]])
    }
}
