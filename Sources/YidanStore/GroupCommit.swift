import Foundation
import GRDB
import Synchronization
import YidanCore

/// Group commit of `accept`: concurrent orders are written in one transaction,
/// so one fsync (`synchronous = FULL`) makes many orders durable.
///
/// Batches form without timers (postgres-nio style: a small state machine
/// decides, the caller acts): the first order that finds no commit running
/// starts a drain; orders arriving while a commit runs queue up and become the
/// next batch. A lone order is committed at once, as before; under load the
/// batch grows to what arrived during the previous fsync.
///
/// Each order runs in its own savepoint inside the batch's transaction, in
/// arrival order, so allowance checks see every earlier order of the batch
/// (exact, as with one transaction per order) and one refused order is
/// rolled back alone while its batch-mates commit. Every caller is answered
/// only after the transaction holding its order has committed.
final class GroupCommitQueue: Sendable {
    typealias Outcome = Result<AcceptOutcome, any Error>

    /// Largest batch per transaction: bounds the time the writer is held and
    /// the latency of the first order in a batch.
    static let maximumBatch = 256

    struct Pending: Sendable {
        var submission: OrderSubmission
        var reply: CheckedContinuation<Outcome, Never>
    }

    /// The queue and whether a drain is running.
    struct State: ~Copyable {
        var pending: [Pending] = []
        var draining = false

        /// Queues an order; true when the caller must start a drain.
        mutating func enqueue(_ order: Pending) -> Bool {
            pending.append(order)
            guard !draining else { return false }
            draining = true
            return true
        }

        /// The next batch, or nil (and the drain stops) when nothing waits.
        mutating func nextBatch() -> [Pending]? {
            guard !pending.isEmpty else {
                draining = false
                return nil
            }
            let count = min(pending.count, GroupCommitQueue.maximumBatch)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            return batch
        }
    }

    private let state = Mutex(State())
    private let pool: DatabasePool
    /// Transactions committed and orders in them, for the benchmark and tests.
    private let counters = Mutex((transactions: 0, orders: 0))

    init(pool: DatabasePool) {
        self.pool = pool
    }

    var statistics: (transactions: Int, orders: Int) {
        counters.withLock { $0 }
    }

    /// Accepts one order with whatever else is waiting; returns after its commit.
    func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome {
        let outcome = await withCheckedContinuation { (reply: CheckedContinuation<Outcome, Never>) in
            let startDrain = state.withLock { $0.enqueue(Pending(submission: submission, reply: reply)) }
            if startDrain {
                Task { await self.drain() }
            }
        }
        return try outcome.get()
    }

    private func drain() async {
        while let batch = state.withLock({ $0.nextBatch() }) {
            let outcomes = await commit(batch.map(\.submission))
            for (order, outcome) in zip(batch, outcomes) {
                order.reply.resume(returning: outcome)
            }
        }
    }

    /// Writes `submissions` in one transaction, each in its own savepoint; one
    /// outcome per submission, in order. A failed commit fails every order of
    /// the batch (none of them is stored).
    func commit(_ submissions: [OrderSubmission]) async -> [Outcome] {
        do {
            let outcomes = try await pool.write { db in
                submissions.map { submission -> Outcome in
                    do {
                        var outcome: AcceptOutcome?
                        try db.inSavepoint {
                            outcome = try SQLiteFilingStore.insertOrder(submission, db)
                            return .commit
                        }
                        guard let outcome else { throw YidanError(.store, "accepting an order produced no outcome") }
                        return .success(outcome)
                    } catch {
                        return .failure(SQLiteFilingStore.storeError(error, "accepting an order"))
                    }
                }
            }
            counters.withLock { $0 = ($0.transactions + 1, $0.orders + submissions.count) }
            return outcomes
        } catch {
            let failure = SQLiteFilingStore.storeError(error, "committing \(submissions.count) accepted orders")
            return submissions.map { _ in .failure(failure) }
        }
    }
}

extension SQLiteFilingStore {
    /// Accept transactions committed since the store was opened, and the orders
    /// they carried (accepted or refused): orders / transactions is the mean
    /// group size. For the benchmark suite and diagnostics.
    public var groupCommitStatistics: (transactions: Int, orders: Int) {
        acceptQueue.statistics
    }
}
