import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore

let exportSamples = packageRoot.appendingPathComponent("../shared/reference/ceb/202205/samples/export").standardizedFileURL

/// Export receipts (CEB304/404/506/604): the official samples (`ceb:` prefix,
/// ten returns each) and customs' own default-namespace form, read and applied.
@Suite struct ExportReceiptTests {
    @Test(arguments: [
        (ReceiptKind.ceb304, "order2018050711340001"),
        (ReceiptKind.ceb404, "order2018050711340001"),
        (ReceiptKind.ceb506, "L2018050700001"),
        (ReceiptKind.ceb604, "Cop20180507001"),
    ])
    func readsEveryOfficialExportReceiptSample(kind: ReceiptKind, businessNo: String) throws {
        let bytes = try Data(contentsOf: exportSamples.appendingPathComponent("\(kind.rootElement).xml"))
        let records = try ReceiptParser.parse(bytes, channel: "inbox")
        #expect(records.count == 10)
        for record in records {
            #expect(record.kind == kind)
            #expect(record.kind.answers.direction == .export)
            #expect(record.messageGuid.count == 36)
            #expect(record.messageGuid == record.messageGuid.uppercased())
            #expect(record.businessNo == businessNo)
            #expect(record.returnStatus == "2")
            #expect(record.returnTime.count == 17)
        }
    }

    static let inventoryGuid = "0B0B0B0B-0000-4000-8000-000000000603"

    static func inventoryReceipt(status: String) -> Data {
        Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <CEB604Message xmlns="http://www.chinaport.gov.cn/ceb" guid="1C1C1C1C-0000-4000-8000-000000000604" version="1.0">
          <InventoryReturn>
            <guid>\(inventoryGuid)</guid><agentCode>4401980D03</agentCode><copNo>X-1</copNo>
            <preNo>B20261130000000001</preNo><invtNo>51412026E000000001</invtNo>
            <ebcCode>4401960E21</ebcCode><ebpCode>4401960P01</ebpCode><orderNo>X-1</orderNo><statisticsFlag>A</statisticsFlag>
            <returnStatus>\(status)</returnStatus><returnTime>20261130090000000</returnTime><returnInfo>step \(status)</returnInfo>
          </InventoryReturn>
        </CEB604Message>
        """.utf8)
    }

    @Test func readsADefaultNamespaceExportInventoryReceipt() throws {
        let records = try ReceiptParser.parse(Self.inventoryReceipt(status: "800"), channel: "callback")
        #expect(records.count == 1)
        #expect(records.first?.kind == .ceb604)
        #expect(records.first?.messageGuid == Self.inventoryGuid)
        #expect(records.first?.businessNo == "X-1")
        #expect(records.first?.returnStatus == "800")
    }

    @Test func aReceiptOfPaymentReceiptWithoutItsOrderNumberIsRefused() throws {
        let bytes = Data("""
        <CEB404Message xmlns="http://www.chinaport.gov.cn/ceb" guid="1C1C1C1C-0000-4000-8000-000000000404" version="1.0">
          <ReceiptsReturn><guid>0B0B0B0B-0000-4000-8000-000000000403</guid><ebcCode>4401960E21</ebcCode>
          <returnStatus>2</returnStatus><returnTime>20261130090000000</returnTime><returnInfo>x</returnInfo></ReceiptsReturn>
        </CEB404Message>
        """.utf8)
        #expect(throws: YidanError.self) { try ReceiptParser.parse(bytes, channel: "inbox") }
    }

    /// The `*` rows of return-status.csv serve exports: 2, 120, 399, 800 take a
    /// CEB603 to released (its final success), 120 a CEB303 to stored.
    @Test func exportReceiptsMoveExportFilingsToTheirFinalSuccess() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-export-receipts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteFilingStore(path: folder.appendingPathComponent("s.sqlite").path)
        let csv = try String(contentsOf: packageRoot.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8)
        let applier = ReceiptApplier(store: store, statuses: try ReturnStatusTable(csv: csv))
        let orderGuid = "0B0B0B0B-0000-4000-8000-000000000303"
        _ = try await store.accept(OrderSubmission(
            orderNo: "X-1", platform: "test", orderJSON: Data("{}".utf8),
            filings: [
                PreparedFiling(id: orderGuid, kind: .ceb303, payload: Data("<a/>".utf8), idempotencyKey: "k303"),
                PreparedFiling(id: Self.inventoryGuid, kind: .ceb603, payload: Data("<b/>".utf8), idempotencyKey: "k603"),
            ],
            allowance: nil, acceptedAt: Date()
        ))
        for code in ["2", "120", "399", "800"] {
            for record in try ReceiptParser.parse(Self.inventoryReceipt(status: code), channel: "inbox") {
                _ = try await applier.apply(record)
            }
        }
        #expect(try await store.filing(id: Self.inventoryGuid)?.status == .released)
        for code in ["2", "3", "120"] {
            let receipt = Data("""
            <CEB304Message xmlns="http://www.chinaport.gov.cn/ceb" guid="1C1C1C1C-0000-4000-8000-00000000030\(code.count)" version="1.0">
              <OrderReturn><guid>\(orderGuid)</guid><ebpCode>4401960P01</ebpCode><ebcCode>4401960E21</ebcCode><orderNo>X-1</orderNo>
              <returnStatus>\(code)</returnStatus><returnTime>20261130090000000</returnTime><returnInfo>step</returnInfo></OrderReturn>
            </CEB304Message>
            """.utf8)
            for record in try ReceiptParser.parse(receipt, channel: "inbox") { _ = try await applier.apply(record) }
        }
        #expect(try await store.filing(id: orderGuid)?.status == .stored)
    }
}
