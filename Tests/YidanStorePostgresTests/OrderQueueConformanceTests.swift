import Foundation
import GRDB
import PostgresNIO
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The order queue (`OrderQueueStore`: orders acknowledged before they are
/// filed), run against every backend.
@Suite("Order queue conformance")
struct OrderQueueConformanceTests {
    static let merchant = "4401960E02"
    static let otherMerchant = "4401960E05"

    static func queued(_ orderNo: String, merchant: String = merchant, at: Date = Fixture.t0, json: String? = nil) -> QueuedOrderSubmission {
        QueuedOrderSubmission(
            orderNo: orderNo, merchant: merchant, orderJSON: Data((json ?? #"{"orderNo":"\#(orderNo)"}"#).utf8), receivedAt: at
        )
    }

    static func queue(_ store: any FilingStore) throws -> any OrderQueueStore {
        try #require(store as? any OrderQueueStore, "the \(type(of: store)) keeps no order queue")
    }

    /// Bytes of each row's stored JSON, read behind the store's back (what is on disk, not what the store reports).
    static func storedJSONLengths(_ scope: StoreScope) async throws -> [String: Int] {
        let sql = "SELECT order_no, CAST(length(order_json) AS bigint) FROM order_queue"
        var lengths: [String: Int] = [:]
        switch scope.backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: scope.sqliteFolder.appendingPathComponent("yidan.sqlite").path)
            lengths = try await queue.read { db in
                try Row.fetchAll(db, sql: sql).reduce(into: [String: Int]()) { $0[$1[0] as String] = $1[1] as Int }
            }
        case .postgres:
            let url = try #require(StoreBackend.postgresURL)
            lengths = try await StoreScope.withAdminConnection(url: url) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(scope.schema)"), logger: StoreScope.quiet)
                var found: [String: Int] = [:]
                for try await (orderNo, length) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: StoreScope.quiet)
                    .decode((String, Int).self) {
                    found[orderNo] = length
                }
                return found
            }
        }
        return lengths
    }

    @Test("enqueue stores once per order number; the same number waiting, filed or another merchant's is told apart", arguments: StoreBackend.all)
    func enqueueOutcomes(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let queue = try Self.queue(store)
            #expect(try await queue.enqueue(Self.queued("Q-1")) == .queued)
            #expect(try await queue.enqueue(Self.queued("Q-1", at: Fixture.t0 + 5, json: #"{"second":true}"#)) == .alreadyQueued)
            #expect(try await queue.enqueue(Self.queued("Q-1", merchant: Self.otherMerchant)) == .otherMerchant)

            var filed = Fixture.submission("Q-2")
            filed.merchant = Self.merchant
            _ = try await store.accept(filed)
            #expect(try await queue.enqueue(Self.queued("Q-2")) == .alreadyFiled)
            #expect(try await queue.enqueue(Self.queued("Q-2", merchant: Self.otherMerchant)) == .otherMerchant)

            let waiting = try await queue.waitingOrders(limit: 10)
            #expect(waiting.map(\.orderNo) == ["Q-1"])
            #expect(waiting.first?.receivedAt == Fixture.t0, "the first arrival is kept")
            #expect(waiting.first?.orderJSON == Data(#"{"orderNo":"Q-1"}"#.utf8))
            #expect(waiting.first?.merchant == Self.merchant && waiting.first?.state == .waiting && waiting.first?.problem == nil)
            #expect(try await queue.queueCounts() == [.waiting: 1])
            #expect(try await Self.storedJSONLengths(scope) == ["Q-1": Data(#"{"orderNo":"Q-1"}"#.utf8).count], "nothing stored twice")
        }
    }

    @Test("a row the queue has finished as filed is already filed; another merchant's queued number is refused", arguments: StoreBackend.all)
    func filedInQueue(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let queue = try Self.queue(store)
            #expect(try await queue.enqueue(Self.queued("Q-F")) == .queued)
            try await queue.finishQueuedOrder(orderNo: "Q-F", state: .filed, problem: nil, at: Fixture.t0 + 1)
            #expect(try await queue.enqueue(Self.queued("Q-F")) == .alreadyFiled)
            #expect(try await queue.enqueue(Self.queued("Q-F", merchant: Self.otherMerchant)) == .otherMerchant)
            #expect(try await queue.queuedOrder(orderNo: "Q-F")?.state == .filed)
            #expect(try await queue.queuedOrder(orderNo: "NONE") == nil)
            #expect(try await queue.waitingOrders(limit: 10).isEmpty)
            #expect(try await queue.queueCounts() == [.filed: 1])
        }
    }

    @Test("waiting orders come oldest first, arrivals within one instant in arrival order", arguments: StoreBackend.all)
    func oldestFirst(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let queue = try Self.queue(store)
            for (index, number) in ["Q-C", "Q-A", "Q-B"].enumerated() {
                #expect(try await queue.enqueue(Self.queued(number, at: Fixture.t0 + Double(index))) == .queued)
            }
            // Same instant, earlier than all above: the order they arrived in, not their numbers'.
            for number in ["Q-Z", "Q-Y", "Q-X"] {
                #expect(try await queue.enqueue(Self.queued(number, at: Fixture.t0 - 10)) == .queued)
            }
            #expect(try await queue.waitingOrders(limit: 10).map(\.orderNo) == ["Q-Z", "Q-Y", "Q-X", "Q-C", "Q-A", "Q-B"])
            #expect(try await queue.waitingOrders(limit: 4).map(\.orderNo) == ["Q-Z", "Q-Y", "Q-X", "Q-C"])
            #expect(try await queue.waitingOrders(limit: 10).map(\.receivedAt).last == Fixture.t0 + 2)
        }
    }

    @Test("finishing drops the JSON and changes only a waiting row; a queued order is read without its JSON", arguments: StoreBackend.all)
    func finish(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let queue = try Self.queue(store)
            for (index, number) in ["Q-C", "Q-A", "Q-B"].enumerated() {
                _ = try await queue.enqueue(Self.queued(number, at: Fixture.t0 + Double(index)))
            }
            #expect(try await queue.queuedOrder(orderNo: "Q-C")?.orderJSON.isEmpty == true)
            #expect(try await queue.queuedOrder(orderNo: "Q-C")?.state == .waiting)

            try await queue.finishQueuedOrder(orderNo: "Q-A", state: .filed, problem: nil, at: Fixture.t0 + 7)
            try await queue.finishQueuedOrder(orderNo: "Q-B", state: .refused, problem: "/payment/amount: \"1.00\" must equal …", at: Fixture.t0 + 8)
            #expect(try await queue.waitingOrders(limit: 10).map(\.orderNo) == ["Q-C"])
            let filed = try #require(try await queue.queuedOrder(orderNo: "Q-A"))
            #expect(filed.state == .filed && filed.problem == nil && filed.finishedAt == Fixture.t0 + 7 && filed.receivedAt == Fixture.t0 + 1)
            let refused = try #require(try await queue.queuedOrder(orderNo: "Q-B"))
            #expect(refused.state == .refused && refused.problem == "/payment/amount: \"1.00\" must equal …" && refused.finishedAt == Fixture.t0 + 8)
            #expect(refused.merchant == Self.merchant && refused.orderJSON.isEmpty)
            let lengths = try await Self.storedJSONLengths(scope)
            #expect(lengths == ["Q-A": 0, "Q-B": 0, "Q-C": Data(#"{"orderNo":"Q-C"}"#.utf8).count], "finished rows keep no copy of the order")

            // Finishing twice changes nothing: only a waiting row is finished.
            try await queue.finishQueuedOrder(orderNo: "Q-A", state: .refused, problem: "late", at: Fixture.t0 + 9)
            let again = try #require(try await queue.queuedOrder(orderNo: "Q-A"))
            #expect(again.state == .filed && again.problem == nil && again.finishedAt == Fixture.t0 + 7)
            try await queue.finishQueuedOrder(orderNo: "NONE", state: .filed, problem: nil, at: Fixture.t0)
            #expect(try await queue.queueCounts() == [.waiting: 1, .filed: 1, .refused: 1])
        }
    }

    @Test("a refused order sent again waits anew with its new JSON and arrival time", arguments: StoreBackend.all)
    func refusedResubmitted(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let queue = try Self.queue(store)
            _ = try await queue.enqueue(Self.queued("Q-B"))
            _ = try await queue.enqueue(Self.queued("Q-D", at: Fixture.t0 + 30))
            try await queue.finishQueuedOrder(orderNo: "Q-B", state: .refused, problem: "/buyer/idNumber: invalid", at: Fixture.t0 + 1)
            #expect(try await queue.enqueue(Self.queued("Q-B", merchant: Self.otherMerchant)) == .otherMerchant)

            let fixed = #"{"orderNo":"Q-B","fixed":true}"#
            #expect(try await queue.enqueue(Self.queued("Q-B", at: Fixture.t0 + 60, json: fixed)) == .queued)
            let again = try #require(try await queue.queuedOrder(orderNo: "Q-B"))
            #expect(again.state == .waiting && again.problem == nil && again.finishedAt == nil && again.receivedAt == Fixture.t0 + 60)
            let waiting = try await queue.waitingOrders(limit: 10)
            #expect(waiting.map(\.orderNo) == ["Q-D", "Q-B"], "it waits behind orders that arrived before its resubmission")
            #expect(waiting.last?.orderJSON == Data(fixed.utf8))
            #expect(try await queue.enqueue(Self.queued("Q-B", json: fixed)) == .alreadyQueued)
            #expect(try await queue.queueCounts() == [.waiting: 2])
        }
    }

    @Test("200 enqueues of 50 numbers at once through several handles store each number once", arguments: StoreBackend.all)
    func concurrentEnqueues(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let handles = [store, try await scope.open(), try await scope.open()]
            let queues = try handles.map(Self.queue)
            let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
                for index in 0..<200 {
                    let queue = queues[index % queues.count]
                    group.addTask { try await queue.enqueue(Self.queued("Q-\(index % 50)", at: Fixture.t0 + Double(index))) }
                }
                return try await group.reduce(into: [EnqueueOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .queued }.count == 50)
            #expect(outcomes.filter { $0 == .alreadyQueued }.count == 150)
            #expect(try await queues[1].queueCounts() == [.waiting: 50])
            #expect(try await Self.storedJSONLengths(scope).count == 50)
            for handle in handles.dropFirst() { try await closeIfPostgres(handle) }
        }
    }

    @Test("a refused order resubmitted at once through several handles waits once", arguments: StoreBackend.all)
    func concurrentResubmissions(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let handles = [store, try await scope.open(), try await scope.open()]
            let queues = try handles.map(Self.queue)
            for round in 1...5 {
                let number = "Q-R\(round)"
                _ = try await queues[0].enqueue(Self.queued(number))
                try await queues[0].finishQueuedOrder(orderNo: number, state: .refused, problem: "refused", at: Fixture.t0)
                let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
                    for index in 0..<12 {
                        let queue = queues[index % queues.count]
                        group.addTask { try await queue.enqueue(Self.queued(number, at: Fixture.t0 + Double(index))) }
                    }
                    return try await group.reduce(into: [EnqueueOutcome]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 == .queued }.count == 1, "round \(round)")
                #expect(outcomes.filter { $0 == .alreadyQueued }.count == 11, "round \(round)")
            }
            #expect(try await queues[2].queueCounts() == [.waiting: 5])
            for handle in handles.dropFirst() { try await closeIfPostgres(handle) }
        }
    }
}
