import Foundation
import Testing
import YidanCore
@testable import YidanIngest

/// The project's flat CSV: export, stream back, refusals by row.
@Suite struct StreamingCSVTests {
    @Test func exportedOrdersReadBackEqual() throws {
        let folder = try StreamingFixtures.folder("csv-round-trip")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try StreamingFixtures.orders()
        let csv = NormalizedOrderCSV.encode(orders)
        #expect(csv.hasPrefix("/orderNo,/platform,/orderTime,"))
        #expect(csv.split(separator: "\n").count == 1 + orders.reduce(0) { $0 + $1.items.count })
        let file = folder.appendingPathComponent("export.csv")
        try StreamingFixtures.write(csv, to: file)

        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [file.path]))
        #expect(documents.compactMap(\.order) == orders)
        #expect(documents.allSatisfy { $0.issues.isEmpty })
        // Locations name each order's rows: the header is line 1.
        var line = 2
        for (document, order) in zip(documents, orders) {
            let last = line + order.items.count - 1
            #expect(document.location == "\(file.path):" + (last == line ? "\(line)" : "\(line)-\(last)"))
            line = last + 1
        }
    }

    @Test func quotedFieldsCRLFByteOrderMarkAndSparseOrderColumns() throws {
        let folder = try StreamingFixtures.folder("csv-quoting")
        defer { try? FileManager.default.removeItem(at: folder) }
        let order = try #require(StreamingFixtures.orders().first { $0.items.count == 3 })
        var rows = NormalizedOrderCSV.rows(order)
        let header = NormalizedOrderCSV.columns
        let note = try #require(header.firstIndex(of: "/note"))
        let buyerName = try #require(header.firstIndex(of: "/buyer/name"))
        rows[0][note] = "fragile, \"handle\" with care\nsecond line"
        // Later rows may leave order columns empty (the first row speaks for the order).
        rows[1][buyerName] = ""
        rows[2][buyerName] = ""
        let text = ([header] + rows).map(NormalizedOrderCSV.line).joined().replacingOccurrences(of: "\n" + order.orderNo, with: "\r\n" + order.orderNo)
        let file = folder.appendingPathComponent("orders.csv")
        try Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)).write(to: file)

        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [file.path]))
        #expect(documents.count == 1)
        var expected = order
        expected.note = "fragile, \"handle\" with care\nsecond line"
        #expect(documents.first?.order == expected)
        #expect(documents.first?.location == "\(file.path):2-5")  // the quoted note spans lines 2 and 3
    }

    @Test func rowsThatDisagreeOrMisshapeAreRefusedByPointerAndLine() throws {
        let folder = try StreamingFixtures.folder("csv-refusals")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try StreamingFixtures.orders()
        let three = try #require(orders.first { $0.items.count == 3 })
        let header = NormalizedOrderCSV.columns
        var rows = NormalizedOrderCSV.rows(three)
        let freight = try #require(header.firstIndex(of: "/freight"))
        rows[2][freight] = "99.00"
        let short = Array(NormalizedOrderCSV.rows(orders[0])[0].dropLast())
        var badItem = NormalizedOrderCSV.rows(orders[1])[0]
        badItem[try #require(header.firstIndex(of: "/items/-/gcode"))] = "12345"
        let text = ([header] + rows + [short, badItem]).map(NormalizedOrderCSV.line).joined()
        let file = folder.appendingPathComponent("refusals.csv")
        try StreamingFixtures.write(text, to: file)

        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [file.path]))
        #expect(documents.count == 3)
        #expect(documents.allSatisfy { $0.order == nil })
        #expect(documents.map(\.orderNo) == [three.orderNo, orders[0].orderNo, orders[1].orderNo])
        #expect(documents[0].issues.contains { $0.pointer == "/freight" && $0.rule.hasPrefix("line 4 differs") })
        #expect(documents[1].location == "\(file.path):5")
        #expect(documents[1].issues.first?.rule == "line 5 has \(header.count - 1) cells, the header has \(header.count)")
        #expect(documents[2].issues.contains { $0.pointer == "/items/0/gcode" && $0.value == "12345" })
    }

    @Test func brokenHeaderOrQuoteRefusesTheRestOfTheFile() throws {
        let folder = try StreamingFixtures.folder("csv-broken")
        defer { try? FileManager.default.removeItem(at: folder) }
        let noOrderNo = folder.appendingPathComponent("a.csv")
        try StreamingFixtures.write("/platform,/items/-/sku\nyidan,SKU1\n", to: noOrderNo)
        let badItemColumn = folder.appendingPathComponent("b.csv")
        try StreamingFixtures.write("/orderNo,/items/0/sku\nA1,SKU1\n", to: badItemColumn)
        let order = try StreamingFixtures.orders()[0]
        let unterminated = folder.appendingPathComponent("c.csv")
        try StreamingFixtures.write(
            ([NormalizedOrderCSV.columns] + NormalizedOrderCSV.rows(order)).map(NormalizedOrderCSV.line).joined()
                + "X-2,\"never closed\nmore\n", to: unterminated
        )

        let documents = try StreamingFixtures.drain(OrderSourceList(paths: [folder.path]))
        #expect(documents.count == 4)
        #expect(documents[0].location == "\(folder.path)/a.csv:1")
        #expect(documents[0].issues.first?.rule == "CSV header has no /orderNo column; rows are grouped into orders by it")
        #expect(documents[1].issues.first?.rule.contains("item columns are written /items/-/<field>") == true)
        #expect(documents[2].order == order)
        #expect(documents[3].location == "\(folder.path)/c.csv:\(2 + order.items.count)")
        #expect(documents[3].issues.first?.rule.hasPrefix("is not valid CSV: a quoted field is not closed") == true)
    }
}
