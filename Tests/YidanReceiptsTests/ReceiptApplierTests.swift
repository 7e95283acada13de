import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore

/// Receipts applied to a real SQLite store through the lifecycle: forward only.
@Suite struct ReceiptApplierTests {
    struct Fixture {
        let folder: URL
        let store: SQLiteFilingStore
        let applier: ReceiptApplier
        let orderGuid = "0A0A0A0A-0000-4000-8000-000000000311"
        let inventoryGuid = "0A0A0A0A-0000-4000-8000-000000000621"

        init() async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-receipts-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            store = try SQLiteFilingStore(path: folder.appendingPathComponent("s.sqlite").path)
            let csv = try String(contentsOf: packageRoot.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8)
            applier = ReceiptApplier(store: store, statuses: try ReturnStatusTable(csv: csv))
            _ = try await store.accept(OrderSubmission(
                orderNo: "R-1", platform: "test", orderJSON: Data("{}".utf8),
                filings: [
                    PreparedFiling(id: orderGuid, kind: .ceb311, payload: Data("<a/>".utf8), idempotencyKey: "k311"),
                    PreparedFiling(id: inventoryGuid, kind: .ceb621, payload: Data("<b/>".utf8), idempotencyKey: "k621"),
                ],
                allowance: nil, acceptedAt: Date()
            ))
        }

        func receipt(_ kind: ReceiptKind, guid: String, status: String) -> ReceiptRecord {
            ReceiptRecord(kind: kind, messageGuid: guid, businessNo: "R-1", returnStatus: status, returnInfo: "info \(status)",
                          returnTime: "20261129100000000", raw: Data("<r/>".utf8), receivedAt: Date(), channel: "inbox")
        }

        func status(_ id: String) async throws -> FilingStatus? { try await store.filing(id: id)?.status }
    }

    @Test func duplicatesAndLateReceiptsNeverMoveAStatusBackwards() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(at: f.folder) }
        #expect(try await f.applier.apply(f.receipt(.ceb312, guid: f.orderGuid, status: "2")) == .advanced(filingID: f.orderGuid, from: .queued, to: .declaring))
        #expect(try await f.applier.apply(f.receipt(.ceb312, guid: f.orderGuid, status: "2")) == .recordedOnly(filingID: f.orderGuid, status: .declaring))
        // 120 overtakes 3; the late 3 is kept in history only.
        #expect(try await f.applier.apply(f.receipt(.ceb312, guid: f.orderGuid, status: "120")) == .advanced(filingID: f.orderGuid, from: .declaring, to: .stored))
        #expect(try await f.applier.apply(f.receipt(.ceb312, guid: f.orderGuid, status: "3")) == .recordedOnly(filingID: f.orderGuid, status: .stored))
        #expect(try await f.status(f.orderGuid) == .stored)
        let history = try await f.store.receipts(filingID: f.orderGuid)
        #expect(history.map(\.returnStatus) == ["2", "2", "120", "3"])
        #expect(history.map(\.moved) == [true, false, true, false])
    }

    @Test func aReleasedInventoryStaysReleasedAndARejectionEndsAnOpenOne() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(at: f.folder) }
        for code in ["2", "120", "399", "800"] {
            _ = try await f.applier.apply(f.receipt(.ceb622, guid: f.inventoryGuid, status: code))
        }
        #expect(try await f.status(f.inventoryGuid) == .released)
        _ = try await f.applier.apply(f.receipt(.ceb622, guid: f.inventoryGuid, status: "100"))
        #expect(try await f.status(f.inventoryGuid) == .released)

        // A negative returnStatus (e-port check failed) rejects an order still in flight.
        #expect(try await f.applier.apply(f.receipt(.ceb312, guid: f.orderGuid, status: "-301010")) == .advanced(filingID: f.orderGuid, from: .queued, to: .rejected))
        #expect(try await f.store.filing(id: f.orderGuid)?.lastReturnStatus == "-301010")
    }

    @Test func aReceiptForAnUnknownFilingIsKeptAndReported() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(at: f.folder) }
        let effect = try await f.applier.apply(f.receipt(.ceb312, guid: "FFFFFFFF-0000-4000-8000-000000000000", status: "2"))
        #expect(effect == .unmatched)
        let unmatched = try await f.store.unmatchedReceipts(limit: 10)
        #expect(unmatched.count == 1)
        #expect(unmatched.first?.returnStatus == "2")
    }

    @Test func theInboxAppliesFilesAndSetsAsideWhatItCannotRead() async throws {
        let f = try await Fixture()
        defer { try? FileManager.default.removeItem(at: f.folder) }
        let inbox = f.folder.appendingPathComponent("inbox", isDirectory: true)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let receipt = """
        <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE" version="1.0"><OrderReturn>
        <guid>\(f.orderGuid)</guid><ebpCode>1</ebpCode><ebcCode>1</ebcCode><orderNo>R-1</orderNo><returnStatus>2</returnStatus>
        <returnTime>20261129100000000</returnTime><returnInfo>新增申报成功</returnInfo></OrderReturn></CEB312Message>
        """
        try Data(receipt.utf8).write(to: inbox.appendingPathComponent("CEB312_a_1.xml"))
        try Data("not xml".utf8).write(to: inbox.appendingPathComponent("CEB312_b_1.xml"))
        let watcher = InboxWatcher(directory: inbox, applier: f.applier)
        #expect(try await watcher.scanOnce() == 2)
        #expect(try await f.status(f.orderGuid) == .declaring)
        let manager = FileManager.default
        #expect(manager.fileExists(atPath: inbox.appendingPathComponent("processed/CEB312_a_1.xml").path))
        #expect(manager.fileExists(atPath: inbox.appendingPathComponent("failed/CEB312_b_1.xml").path))
        #expect(try manager.contentsOfDirectory(atPath: inbox.path).filter { $0.hasSuffix(".xml") }.isEmpty)
    }
}
