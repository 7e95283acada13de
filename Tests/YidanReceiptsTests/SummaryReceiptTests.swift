import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore

/// The receipts of a CEB701 summary request: CEB702 (a receipt like the others)
/// and the CEB792 summary result, whose entryId yidan keeps with the order.
@Suite struct SummaryReceiptTests {
    static let summaryGuid = "0B0B0B0B-0000-4000-8000-000000000701"

    static func result(entryId: String?) -> Data {
        Data("""
        <CEB792Message xmlns="http://www.chinaport.gov.cn/ceb" guid="1C1C1C1C-0000-4000-8000-000000000792" version="1.0">
          <SummaryResult>
            <SummaryResultHead><guid>\(summaryGuid.lowercased())</guid><customsCode>2248</customsCode><sumNo>S20261130000000001</sumNo>
              <opDate>20261130090000000</opDate><declSeqNo>D20261130000000001</declSeqNo>\(entryId.map { "<entryId>\($0)</entryId>" } ?? "")
              <decState>1</decState><agentCode>3120980D11</agentCode><agentName>a</agentName><ebcCode>3105960E33</ebcCode>
              <ebcName>e</ebcName><declAgentCode>3120980D11</declAgentCode><declAgentName>a</declAgentName>
              <grossWeight>12.5</grossWeight><netWeight>11</netWeight><msgCount>1</msgCount><msgSeqNo>1</msgSeqNo></SummaryResultHead>
            <SummaryResultList><invtNo>22482026E000000001</invtNo><logisticsNo>L1</logisticsNo><gseqno>1</gseqno><gnum>1</gnum><gcode>7323930000</gcode></SummaryResultList>
          </SummaryResult>
        </CEB792Message>
        """.utf8)
    }

    @Test func theOfficialSummarySamplesAreRead() throws {
        let returns = try ReceiptParser.parse(Data(contentsOf: exportSamples.appendingPathComponent("CEB702Message.xml")), channel: "inbox")
        #expect(returns.count == 10)
        #expect(returns.allSatisfy { $0.kind == .ceb702 && $0.businessNo == "C201805080001" && $0.returnStatus == "2" })
        // The 792 sample (read despite its missing gseqno: yidan reads the head) names no entryId yet.
        let results = try ReceiptParser.parse(Data(contentsOf: exportSamples.appendingPathComponent("CEB792Message.xml")), channel: "inbox")
        #expect(results.count == 10)
        #expect(results.allSatisfy { $0.kind == .ceb792 && $0.entryId == nil && $0.returnStatus == "120" && $0.businessNo == "S20180507000000001" })
    }

    @Test func aResultWithAnEntryIdConcludesTheSummaryAndIsKeptWithTheOrder() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-summary-receipts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteFilingStore(path: folder.appendingPathComponent("s.sqlite").path)
        let csv = try String(contentsOf: packageRoot.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8)
        let applier = ReceiptApplier(store: store, statuses: try ReturnStatusTable(csv: csv))
        _ = try await store.accept(OrderSubmission(
            orderNo: "X-701", platform: "test", orderJSON: Data("{}".utf8),
            filings: [PreparedFiling(id: Self.summaryGuid, kind: .ceb701, payload: Data("<a/>".utf8), idempotencyKey: "k701")],
            allowance: nil, acceptedAt: Date()
        ))
        #expect(try await store.entryId(orderNo: "X-701") == nil)

        let withoutNumber = try ReceiptParser.parse(Self.result(entryId: nil), channel: "http")
        #expect(withoutNumber.map(\.returnStatus) == ["120"])
        for record in withoutNumber { _ = try await applier.apply(record) }
        #expect(try await store.filing(id: Self.summaryGuid)?.status == .stored)
        #expect(try await store.entryId(orderNo: "X-701") == nil)

        let records = try ReceiptParser.parse(Self.result(entryId: "224820261000000042"), channel: "http")
        #expect(records.map(\.messageGuid) == [Self.summaryGuid])
        #expect(records.map(\.entryId) == ["224820261000000042"])
        for record in records { _ = try await applier.apply(record) }
        let filing = try #require(try await store.filing(id: Self.summaryGuid))
        #expect(filing.status == .concluded)
        #expect(filing.status.isTerminal(for: .ceb701))
        #expect(try await store.entryId(orderNo: "X-701") == "224820261000000042")
    }

    @Test func anEntryIdThatIsNot18DigitsIsRefused() {
        #expect(throws: YidanError.self) { try ReceiptParser.parse(Self.result(entryId: "22482026100000004X"), channel: "inbox") }
    }
}
