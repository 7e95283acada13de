import Foundation
import Testing
import YidanCore

@Suite("ReturnStatusTable")
struct ReturnStatusTableTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let inline = #"""
    # a comment, with commas, and a "quote"
    scope,code,status,zh,en
    *,2,declaring,电子口岸申报中,Being declared
    *,120,stored,海关入库,Stored
    *,<0,rejected,处理异常,"Processing error, e-port"
    *,500-599,inspecting,查验,Inspection
    *,503,inspecting,扣留移送法规,"Detained ""legal"""
    CEB622,1,declaring,电子口岸已暂存,Saved
    CEB622,-1,released,测试,Kind-specific negative

    *,800,released,放行,Released
    """#

    @Test("exact codes, in any receipt kind")
    func exact() throws {
        let table = try ReturnStatusTable(csv: Self.inline)
        for kind in ReceiptKind.allCases {
            #expect(table.status(for: "2", receipt: kind) == .declaring)
            #expect(table.status(for: "120", receipt: kind) == .stored)
            #expect(table.status(for: " 800 ", receipt: kind) == .released)
        }
        #expect(table.text(for: "120", receipt: .ceb312)?.zh == "海关入库")
        #expect(table.text(for: "120", receipt: .ceb312)?.en == "Stored")
    }

    @Test("<0 matches any negative integer, not text or zero")
    func negative() throws {
        let table = try ReturnStatusTable(csv: Self.inline)
        #expect(table.status(for: "-1", receipt: .ceb312) == .rejected)
        #expect(table.status(for: "-301010", receipt: .ceb512) == .rejected)
        #expect(table.status(for: "0", receipt: .ceb312) == nil)
        #expect(table.status(for: "-x", receipt: .ceb312) == nil)
        #expect(table.text(for: "-5", receipt: .ceb412)?.en == "Processing error, e-port")
    }

    @Test("a kind-specific row wins over *, even over an exact * row or for a pattern")
    func kindWins() throws {
        let table = try ReturnStatusTable(csv: Self.inline)
        #expect(table.status(for: "1", receipt: .ceb622) == .declaring)
        #expect(table.status(for: "1", receipt: .ceb312) == nil)
        #expect(table.status(for: "-1", receipt: .ceb622) == .released)
        #expect(table.status(for: "-2", receipt: .ceb622) == .rejected)
    }

    @Test("ranges, and an exact row beats a range in the same scope")
    func ranges() throws {
        let table = try ReturnStatusTable(csv: Self.inline)
        #expect(table.status(for: "550", receipt: .ceb622) == .inspecting)
        #expect(table.text(for: "550", receipt: .ceb622)?.zh == "查验")
        #expect(table.text(for: "503", receipt: .ceb622)?.en == "Detained \"legal\"")
        #expect(table.status(for: "600", receipt: .ceb622) == nil)
    }

    @Test("unknown codes have no status")
    func unknown() throws {
        let table = try ReturnStatusTable(csv: Self.inline)
        #expect(table.status(for: "999", receipt: .ceb312) == nil)
        #expect(table.text(for: "", receipt: .ceb312) == nil)
    }

    @Test("CRLF line ends and a byte-order mark are fine")
    func crlf() throws {
        let text = "\u{FEFF}scope,code,status,zh,en\r\n*,2,declaring,申报中,Declaring\r\n*,3,sent-to-customs,发送海关成功,Sent\r\n"
        let table = try ReturnStatusTable(csv: text)
        #expect(table.rows.count == 2)
        #expect(table.status(for: "3", receipt: .ceb412) == .sentToCustoms)
    }

    @Test("bad tables are refused with the line", arguments: [
        ("scope,code,status\n*,2,declaring", "header"),
        ("scope,code,status,zh,en\n*,2,declaring,x", "line 2"),
        ("scope,code,status,zh,en\nCEB999,2,declaring,x,y", "unknown scope"),
        ("scope,code,status,zh,en\n*,2,flying,x,y", "unknown status"),
        ("scope,code,status,zh,en\n*,,declaring,x,y", "bad code"),
        ("scope,code,status,zh,en\n*,2,declaring,\"x,y", "unterminated"),
        ("", "empty"),
    ])
    func refused(text: String, mention: String) {
        #expect {
            _ = try ReturnStatusTable(csv: text)
        } throws: { error in
            guard let error = error as? YidanError else { return false }
            return error.code == .configuration && error.message.contains(mention)
        }
    }

    @Test("the project's table maps every documented code")
    func projectTable() throws {
        let url = Self.packageRoot.appendingPathComponent("Mappings/tables/return-status.csv")
        let table = try ReturnStatusTable(csv: String(contentsOf: url, encoding: .utf8))
        let expected: [String: FilingStatus] = [
            "2": .declaring, "3": .sentToCustoms, "4": .rejected, "100": .rejected, "120": .stored,
            "300": .reviewing, "399": .concluded, "500": .inspecting, "501": .inspecting, "599": .inspecting,
            "700": .rejected, "800": .released, "899": .closed, "-1": .rejected, "-30101": .rejected,
        ]
        // Customs receipts; TAX-RECEIPT/FX-RECEIPT give 1 and 2 their own meanings (docs/filings.md).
        for kind in ReceiptKind.allCases where kind.answers.authority == .customs {
            for (code, status) in expected {
                #expect(table.status(for: code, receipt: kind) == status, "\(kind.rawValue) \(code)")
            }
        }
        #expect(table.status(for: "1", receipt: .ceb622) == .declaring)
        #expect(table.status(for: "1", receipt: .ceb312) == nil)
        #expect(table.text(for: "800", receipt: .ceb622)?.zh == "放行")
    }
}
