import Foundation
import Testing
import YidanCore
@testable import YidanStore

/// Orders acknowledged before filing (`OrderQueue.swift`) on a real SQLite file.
@Suite("Order queue: orders acknowledged before they are filed")
struct OrderQueueTests {
    static func queued(_ orderNo: String, merchant: String = "4401960E02", at: Date = Fixture.t0, json: String? = nil) -> QueuedOrderSubmission {
        QueuedOrderSubmission(
            orderNo: orderNo, merchant: merchant,
            orderJSON: Data((json ?? #"{"orderNo":"\#(orderNo)"}"#).utf8), receivedAt: at
        )
    }

    @Test("enqueue stores once per order number; the same number waiting, filed or another merchant's is told apart")
    func enqueueOutcomes() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        #expect(try await store.enqueue(Self.queued("Q-1")) == .queued)
        #expect(try await store.enqueue(Self.queued("Q-1", at: Fixture.t0.addingTimeInterval(5))) == .alreadyQueued)
        #expect(try await store.enqueue(Self.queued("Q-1", merchant: "4401960E05")) == .otherMerchant)

        var filed = Fixture.submission("Q-2")
        filed.merchant = "4401960E02"
        _ = try await store.accept(filed)
        #expect(try await store.enqueue(Self.queued("Q-2")) == .alreadyFiled)
        #expect(try await store.enqueue(Self.queued("Q-2", merchant: "4401960E05")) == .otherMerchant)

        let waiting = try await store.waitingOrders(limit: 10)
        #expect(waiting.map(\.orderNo) == ["Q-1"])
        #expect(waiting.first?.receivedAt == Fixture.t0, "the first arrival is kept")
        #expect(waiting.first?.orderJSON == Data(#"{"orderNo":"Q-1"}"#.utf8))
        #expect(try await store.queueCounts() == [.waiting: 1])
    }

    @Test("waiting orders come oldest first; finishing drops the JSON; a refused order sent again waits anew")
    func finishAndResubmit() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        for (index, number) in ["Q-C", "Q-A", "Q-B"].enumerated() {
            _ = try await store.enqueue(Self.queued(number, at: Fixture.t0.addingTimeInterval(Double(index))))
        }
        #expect(try await store.waitingOrders(limit: 2).map(\.orderNo) == ["Q-C", "Q-A"])

        try await store.finishQueuedOrder(orderNo: "Q-A", state: .filed, problem: nil, at: Fixture.t0)
        try await store.finishQueuedOrder(orderNo: "Q-B", state: .refused, problem: "/payment/amount: \"1.00\" must equal …", at: Fixture.t0)
        #expect(try await store.waitingOrders(limit: 10).map(\.orderNo) == ["Q-C"])
        let refused = try #require(try await store.queuedOrder(orderNo: "Q-B"))
        #expect(refused.state == .refused && refused.problem?.hasPrefix("/payment/amount") == true && refused.finishedAt == Fixture.t0)
        let stored = try sqliteInChildProcess(path: folder.path, query: "SELECT length(order_json) FROM order_queue WHERE order_no IN ('Q-A', 'Q-B')")
        #expect(stored == "0\n0", "finished rows keep no copy of the order")

        // Finishing twice changes nothing: only a waiting row is finished.
        try await store.finishQueuedOrder(orderNo: "Q-A", state: .refused, problem: "late", at: Fixture.t0)
        #expect(try await store.queuedOrder(orderNo: "Q-A")?.state == .filed)

        #expect(try await store.enqueue(Self.queued("Q-B", json: #"{"orderNo":"Q-B","fixed":true}"#)) == .queued)
        let again = try #require(try await store.queuedOrder(orderNo: "Q-B"))
        #expect(again.state == .waiting && again.problem == nil && again.finishedAt == nil)
        #expect(try await store.queueCounts() == [.waiting: 2, .filed: 1])
    }

    @Test("concurrent enqueues share commits and each order number is stored once")
    func concurrentEnqueues() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
            for index in 0..<200 {
                group.addTask { try await store.enqueue(Self.queued("Q-\(index % 50)")) }
            }
            return try await group.reduce(into: [EnqueueOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .queued }.count == 50)
        #expect(outcomes.filter { $0 == .alreadyQueued }.count == 150)
        #expect(try sqliteInChildProcess(path: folder.path, query: "SELECT COUNT(*) FROM order_queue") == "50")
    }

    @Test("through a sealed store the queued JSON is encrypted on disk and opened for the preparer")
    func sealedQueue() async throws {
        let folder = try TemporaryStoreFolder()
        let keys = try SealedStoreTests.ring(DataKeyRing.newKeyLine(id: "k1"))
        let store = SealedFilingStore(base: try folder.open(), sealer: PersonalDataSealer(keys: keys))
        let json = #"{"orderNo":"Q-S","buyer":{"name":"\#(SealedStoreTests.buyerName)","idNumber":"\#(SealedStoreTests.idNumber)"}}"#
        #expect(try await store.enqueue(Self.queued("Q-S", json: json)) == .queued)
        #expect(try await store.waitingOrders(limit: 1).first?.orderJSON == Data(json.utf8))
        let disk = try SealedStoreTests.diskBytes(folder)
        for secret in [SealedStoreTests.idNumber, SealedStoreTests.buyerName] {
            #expect(disk.range(of: Data(secret.utf8)) == nil, "\(secret.count)-character secret found on disk")
        }
    }
}
