import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import YidanCore
@testable import YidanDispatch
import YidanStore

/// A real SQLite store whose attempt records wait at a gate, as on a disk
/// that stalls: everything else goes straight through.
final class HeldRecordsStore: FilingStore {
    let base: SQLiteFilingStore
    let release = Gate()
    /// Opens once `expectedHeld` records are waiting at the gate.
    let held = Gate()
    private let expectedHeld: Int
    private let waiting = Mutex(0)

    init(base: SQLiteFilingStore, expectedHeld: Int) {
        self.base = base
        self.expectedHeld = expectedHeld
    }

    func completeAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date) async throws {
        if waiting.withLock({ $0 += 1; return $0 }) == expectedHeld { held.open() }
        await release.wait()
        try await base.completeAttempt(attempt, outcome: outcome, now: now)
    }

    func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome { try await base.accept(submission) }
    func appendFilings(orderNo: String, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await base.appendFilings(orderNo: orderNo, filings: filings, allowanceDelta: allowanceDelta, at: at)
    }
    func amendOrder(orderNo: String, orderJSON: Data, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await base.amendOrder(orderNo: orderNo, orderJSON: orderJSON, filings: filings, allowanceDelta: allowanceDelta, at: at)
    }
    func receiptPayloads(filingID: String) async throws -> [Data] { try await base.receiptPayloads(filingID: filingID) }
    func allowanceUsed(buyerKey: String, year: Int) async throws -> Decimal { try await base.allowanceUsed(buyerKey: buyerKey, year: year) }
    func claimDue(now: Date, limit: Int, lease: Duration) async throws -> [FilingRecord] { try await base.claimDue(now: now, limit: limit, lease: lease) }
    func claimDue(now: Date, limits: [Authority: Int], lease: Duration) async throws -> [FilingRecord] { try await base.claimDue(now: now, limits: limits, lease: lease) }
    func nextDueTime(authorities: Set<Authority>) async throws -> Date? { try await base.nextDueTime(authorities: authorities) }
    func applyReceipt(_ receipt: ReceiptRecord, decide: @escaping @Sendable (FilingRecord) -> FilingStatus?) async throws -> ReceiptEffect {
        try await base.applyReceipt(receipt, decide: decide)
    }
    func nextDueTime() async throws -> Date? { try await base.nextDueTime() }
    func filing(id: String) async throws -> FilingRecord? { try await base.filing(id: id) }
    func filings(orderNo: String) async throws -> [FilingRecord] { try await base.filings(orderNo: orderNo) }
    func filings(status: FilingStatus?, limit: Int) async throws -> [FilingRecord] { try await base.filings(status: status, limit: limit) }
    func attempts(filingID: String) async throws -> [AttemptRecord] { try await base.attempts(filingID: filingID) }
    func receipts(filingID: String) async throws -> [StoredReceipt] { try await base.receipts(filingID: filingID) }
    func unmatchedReceipts(limit: Int) async throws -> [StoredReceipt] { try await base.unmatchedReceipts(limit: limit) }
    func orderJSON(orderNo: String) async throws -> Data? { try await base.orderJSON(orderNo: orderNo) }
    func orderNo(forInvtNo invtNo: String) async throws -> String? { try await base.orderNo(forInvtNo: invtNo) }
    func entryId(orderNo: String) async throws -> String? { try await base.entryId(orderNo: orderNo) }
    func recordTaxBill(_ bill: TaxBillRecord) async throws { try await base.recordTaxBill(bill) }
    func taxBills(orderNo: String) async throws -> [TaxBillRecord] { try await base.taxBills(orderNo: orderNo) }
    func unmatchedTaxBills(limit: Int) async throws -> [TaxBillRecord] { try await base.unmatchedTaxBills(limit: limit) }
    func statusCounts() async throws -> [FilingStatus: Int] { try await base.statusCounts() }
}

/// What `maxInFlight` counts: requests to the authority, not attempts
/// waiting for their commit.
@Suite("Dispatcher places: freed at the answer, records finished before a graceful stop")
struct DispatcherPlacesTests {
    @Test("with one place and the first attempt's record stalled, the second filing is still sent; a graceful stop waits for both records")
    func placeFreedAtTheAnswer() async throws {
        let temporary = try TemporaryStore()
        let store = HeldRecordsStore(base: temporary.store, expectedHeld: 2)
        let log = RequestLog()
        let sent = Gate()
        let client = try CurlHTTPClient()
        let router = scriptedGateway([200], log: log, expected: 2, done: sent)
        let policy = RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxAttempts: 5, jitterFraction: 0, maxRetryAfter: .zero)
        // CEB311 and CEB411: neither waits for the other.
        let submission = DispatcherTests.submission("ORDER-PLACES", kinds: [.ceb311, .ceb411])

        try await withLoopbackServer(router) { port in
            var configuration = DispatcherTests.configuration(port: port, policy: policy, pollInterval: .seconds(3600))
            configuration.maxInFlight = 1
            let dispatcher = Dispatcher(store: store, client: client, configuration: configuration, logger: DispatcherTests.quietLogger)
            let group = ServiceGroup(services: [dispatcher], logger: DispatcherTests.quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                _ = try await store.accept(submission)
                dispatcher.wake()
                // Both requests answered while no attempt could be recorded yet:
                // holding the place until the commit would stop at one.
                #expect(await sent.wait(upTo: .seconds(20)), "the second filing was not sent while the first attempt's record waited")
                #expect(await store.held.wait(upTo: .seconds(20)))
                let stalled = try await temporary.store.statusCounts()
                #expect(stalled[.sending] == 2)
                // Stop while both records wait: the stop must let them finish.
                await group.triggerGracefulShutdown()
                store.release.open()
                try await tasks.waitForAll()
            }
        }
        await client.shutdown()

        #expect(log.count(path: "dxp") == 2)
        for filing in submission.filings {
            let record = try #require(try await temporary.store.filing(id: filing.id))
            #expect(record.status == .delivered)
            #expect(try await temporary.store.attempts(filingID: filing.id).count == 1)
        }
    }
}
