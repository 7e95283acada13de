import Foundation
import Testing
import YidanCore

@Suite("Mappings/tables/receipt-codes.csv: every receipt code explained in Chinese and English")
struct BrokerReceiptCodeTests {
    static let mappings = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Mappings")

    /// The returnStatus values the spec (202205) lists for each receipt, and yidan's tax/FX contract.
    static let specStatuses: [ReceiptKind: [String]] = [
        .ceb312: ["2", "3", "4", "100", "120"], .ceb412: ["2", "3", "4", "100", "120"],
        .ceb512: ["2", "3", "4", "100", "120"],
        .ceb622: ["1", "2", "3", "4", "100", "120", "300", "399", "800", "899", "500", "501", "502", "503", "599", "700"],
        .ceb304: ["2", "3", "4", "100", "120"], .ceb404: ["2", "3", "4", "100", "120"],
        .ceb506: ["2", "3", "4", "100", "399"],
        .ceb604: ["2", "3", "4", "100", "120", "300", "500", "399", "800", "899"],
        .ceb624: ["2", "3", "4", "100", "120", "399"], .ceb626: ["2", "3", "4", "100", "120", "399"],
        .ceb702: ["2", "3", "4", "100", "399"], .ceb792: ["399"],
        .taxReceipt: ["1", "2", "-1", "-2", "-3"], .fxReceipt: ["1", "2", "-1", "-2", "-3"],
    ]

    @Test("the table parses and explains every spec returnStatus of every receipt kind")
    func coverage() throws {
        let table = try ReceiptCodeTable.load(mappingsDirectory: Self.mappings)
        #expect(Set(Self.specStatuses.keys) == Set(ReceiptKind.allCases))
        for (kind, codes) in Self.specStatuses {
            for code in codes {
                let text = table.explain(kind: kind, code: code)
                #expect(text != nil, "\(kind.rawValue) \(code)")
                #expect(text?.zh.isEmpty == false && text?.en.isEmpty == false)
            }
        }
    }

    @Test("every exact code of return-status.csv is explained too")
    func agreesWithReturnStatusTable() throws {
        let codes = try ReceiptCodeTable.load(mappingsDirectory: Self.mappings)
        let text = try String(contentsOf: Self.mappings.appendingPathComponent("tables/return-status.csv"), encoding: .utf8)
        let statuses = try ReturnStatusTable(csv: text)
        for row in statuses.rows {
            guard case .exact(let code) = row.code else { continue }
            let kinds = row.scope.map { [$0] } ?? ReceiptKind.allCases
            for kind in kinds {
                #expect(codes.explain(kind: kind, code: code) != nil, "\(kind.rawValue) \(code)")
            }
        }
    }

    @Test("business and data-exchange errors; the receipt's own kind wins over *")
    func lookups() throws {
        let table = try ReceiptCodeTable.load(mappingsDirectory: Self.mappings)
        #expect(table.row(kind: .ceb622, code: "-621018")?.category == .business)
        #expect(table.explain(kind: .ceb622, code: "-621018")?.en.contains("annual allowance") == true)
        #expect(table.row(kind: .ceb312, code: "1001")?.category == .exchange)
        #expect(table.row(kind: .ceb626, code: " -625209 ")?.category == .business)
        #expect(table.explain(kind: .ceb624, code: "399")?.en.contains("Cancel") == true)
        #expect(table.explain(kind: .ceb622, code: "399")?.en == "Customs review concluded")
        #expect(table.explain(kind: .taxReceipt, code: "-3")?.zh.contains("税额") == true)
        #expect(table.explain(kind: .ceb312, code: "-3") == nil)
        #expect(table.explain(kind: .ceb312, code: "12345") == nil)
        // Each spec business code family is present.
        for code in ["-10101", "-301010", "-401007", "-504012", "-505012", "-621004", "-623005", "-625033", "-800003"] {
            #expect(table.explain(kind: .ceb622, code: code) != nil, "\(code)")
        }
    }

    @Test("bad tables are refused with their line")
    func badTables() {
        let header = "scope,code,category,zh,en\n"
        #expect(throws: YidanError.self) { try ReceiptCodeTable(csv: header + "CEB999,1,status,a,b\n") }
        #expect(throws: YidanError.self) { try ReceiptCodeTable(csv: header + "*,1,weird,a,b\n") }
        #expect(throws: YidanError.self) { try ReceiptCodeTable(csv: header + "*,1,status,a,b\n*,1,status,c,d\n") }
        #expect(throws: YidanError.self) { try ReceiptCodeTable(csv: header + "*,1,status,,b\n") }
        #expect(throws: YidanError.self) { try ReceiptCodeTable(csv: "scope,code,zh,en\n") }
    }
}
