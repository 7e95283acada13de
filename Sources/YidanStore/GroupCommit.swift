import Foundation
import GRDB
import Synchronization
import YidanCore

/// Group commit: concurrent writes of one kind (accepted orders, finished
/// delivery attempts) share one transaction, so one fsync
/// (`synchronous = FULL`) makes many of them durable.
///
/// Batches form without timers (postgres-nio style: a small state machine
/// decides, the caller acts): the first item that finds no commit running
/// starts a drain; items arriving while a commit runs queue up and become the
/// next batch. A lone item is committed at once, as before; under load the
/// batch grows to what arrived during the previous fsync.
///
/// Items run in arrival order inside the batch's transaction, so later items
/// see every earlier one (an order's allowance check is exact, as with one
/// transaction per order); when one is refused the batch runs again with each
/// item in its own savepoint, so it is rolled back alone while its
/// batch-mates commit (`commit(_:)`). Every caller is answered only after the
/// transaction holding its item has committed.
final class GroupCommitQueue<Item: Sendable, Answer: Sendable>: Sendable {
    typealias Outcome = Result<Answer, any Error>

    /// Largest batch per transaction: bounds the time the writer is held and
    /// the latency of the first item in a batch.
    static var maximumBatch: Int { 256 }

    struct Pending: Sendable {
        var item: Item
        var reply: CheckedContinuation<Outcome, Never>
    }

    /// The queue and whether a drain is running.
    struct State: ~Copyable {
        var pending: [Pending] = []
        var draining = false

        /// Queues an item; true when the caller must start a drain.
        mutating func enqueue(_ item: Pending) -> Bool {
            pending.append(item)
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
    /// What one item is, for error messages ("accepting an order").
    private let action: String
    /// Writes one item inside the batch's transaction (in its savepoint).
    private let apply: @Sendable (Item, Database) throws -> Answer
    /// Transactions committed and items in them, for the benchmark and tests.
    private let counters = Mutex((transactions: 0, orders: 0))

    init(pool: DatabasePool, action: String, apply: @escaping @Sendable (Item, Database) throws -> Answer) {
        self.pool = pool
        self.action = action
        self.apply = apply
    }

    /// Transactions committed and the items (`orders`) they carried.
    var statistics: (transactions: Int, orders: Int) {
        counters.withLock { $0 }
    }

    /// Writes one item with whatever else is waiting; returns after its commit.
    func submit(_ item: Item) async throws -> Answer {
        let outcome = await withCheckedContinuation { (reply: CheckedContinuation<Outcome, Never>) in
            let startDrain = state.withLock { $0.enqueue(Pending(item: item, reply: reply)) }
            if startDrain {
                Task { await self.drain() }
            }
        }
        return try outcome.get()
    }

    private func drain() async {
        while let batch = state.withLock({ $0.nextBatch() }) {
            let outcomes = await commit(batch.map(\.item))
            for (pending, outcome) in zip(batch, outcomes) {
                pending.reply.resume(returning: outcome)
            }
        }
    }

    /// Writes `items` in one transaction; one outcome per item, in order. A
    /// failed commit fails every item of the batch (none of them is stored).
    ///
    /// Usually every item succeeds, and the batch runs straight through. Only
    /// when one is refused (an allowance, a duplicate) is the transaction
    /// rolled back and the batch run again with each item in its own
    /// savepoint, so the refused ones fail alone. Savepoints for every item
    /// cost each one a statement journal holding the original of every page
    /// it touched, pages most items share (index leaves, the audit trail's
    /// tail): that was a tenth of the writer's work recording attempts.
    func commit(_ items: [Item]) async -> [Outcome] {
        let apply = self.apply
        do {
            let answers = try await pool.write { db in
                try items.map { item in
                    do {
                        return try apply(item, db)
                    } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                        throw error  // the lock, not the item: running again would only wait the busy timeout again
                    } catch {
                        throw ItemRefused()
                    }
                }
            }
            counters.withLock { $0 = ($0.transactions + 1, $0.orders + items.count) }
            return answers.map { .success($0) }
        } catch is ItemRefused {
            // Only then again, item by item: a failed transaction (a store
            // locked past the busy timeout, a failed commit) fails the batch
            // at once, as it did before, instead of waiting a second time.
            return await commitEachInSavepoint(items)
        } catch {
            return failed(items, error)
        }
    }

    /// An item of a straight-through batch threw: the batch must be run again.
    private struct ItemRefused: Error {}

    /// Every item of a batch whose transaction failed fails with it.
    private func failed(_ items: [Item], _ error: any Error) -> [Outcome] {
        let failure = SQLiteFilingStore.storeError(error, "committing \(items.count) batched writes (\(action))")
        return items.map { _ in .failure(failure) }
    }

    /// The batch with each item in its own savepoint, in arrival order, so
    /// later items see every earlier one and a refused item is rolled back alone.
    private func commitEachInSavepoint(_ items: [Item]) async -> [Outcome] {
        let apply = self.apply
        let action = self.action
        do {
            let outcomes = try await pool.write { db in
                items.map { item -> Outcome in
                    do {
                        var answer: Answer?
                        try db.inSavepoint {
                            answer = try apply(item, db)
                            return .commit
                        }
                        guard let answer else { throw YidanError(.store, "\(action) produced no outcome") }
                        return .success(answer)
                    } catch {
                        return .failure(SQLiteFilingStore.storeError(error, action))
                    }
                }
            }
            counters.withLock { $0 = ($0.transactions + 1, $0.orders + items.count) }
            return outcomes
        } catch {
            return failed(items, error)
        }
    }
}

/// A receipt waiting for its group commit, with the lifecycle that decides its move.
struct ReceiptApplication: Sendable {
    var receipt: ReceiptRecord
    var decide: @Sendable (FilingRecord) -> FilingStatus?
}

/// A finished delivery attempt waiting for its group commit.
struct AttemptCompletion: Sendable {
    var attempt: AttemptRecord
    var outcome: DeliveryOutcome
    var now: Date
}

extension SQLiteFilingStore {
    /// Accept transactions committed since the store was opened, and the orders
    /// they carried (accepted or refused): orders / transactions is the mean
    /// group size. For the benchmark suite and diagnostics.
    public var groupCommitStatistics: (transactions: Int, orders: Int) {
        acceptQueue.statistics
    }

    /// The same for the dispatcher's recorded attempts (`completeAttempt`).
    public var attemptCommitStatistics: (transactions: Int, attempts: Int) {
        let counts = completionQueue.statistics
        return (counts.transactions, counts.orders)
    }
}
