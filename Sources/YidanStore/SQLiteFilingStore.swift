public import Foundation
public import GRDB
import YidanCore

/// The embedded `FilingStore`: one SQLite file, opened through a GRDB
/// `DatabasePool` in WAL mode, so many readers (status, list) run while one
/// writer (accept, dispatcher, receipts) commits.
///
/// Every write method is one transaction: it either happens entirely or not
/// at all. Writes are serialised by the pool's single writer connection, so
/// concurrent tasks never see each other's half-done work; the busy timeout
/// covers other processes (a `yidan status` next to a running `yidan run`).
///
/// Schema and column conventions: `StoreMigrations`.
public final class SQLiteFilingStore: FilingStore, Sendable {
    /// The database file.
    public let path: String
    /// `DatabasePool` is Sendable and serialises writes itself.
    let pool: DatabasePool
    /// Concurrent `accept` calls share one transaction (GroupCommit.swift).
    let acceptQueue: GroupCommitQueue<OrderSubmission, AcceptOutcome>
    /// So do concurrent `completeAttempt` calls (the dispatcher's deliveries).
    let completionQueue: GroupCommitQueue<AttemptCompletion, Void>
    /// And concurrent `enqueue` calls (orders acknowledged before filing).
    let enqueueQueue: GroupCommitQueue<QueuedOrderSubmission, EnqueueOutcome>
    /// And receipts (`applyReceipt`).
    let receiptQueue: GroupCommitQueue<ReceiptApplication, ReceiptEffect>

    /// The connection pool, for another store kept in the same file (the
    /// provenance `TraceStore`) so both write through one writer.
    public var databasePool: DatabasePool { pool }

    /// How long a write waits for another process's lock before failing.
    static let busyTimeout: TimeInterval = 5

    /// Opens (creating if needed) the store at `path`, creating missing parent
    /// folders, and runs any migrations the file has not seen yet.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "yidan.store"
        configuration.busyMode = .timeout(Self.busyTimeout)
        do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // Durability of acknowledged work: once `accept` returns, the
            // merchant is told the order will be filed, and a receipt or a
            // delivery, once recorded, must not be forgotten. In WAL mode
            // `synchronous = NORMAL` (GRDB's choice, applied when it turns WAL
            // on, after `prepareDatabase`) only syncs the WAL at checkpoints,
            // so a power loss or OS crash can roll back the last commits.
            // FULL syncs the WAL on every commit: one fsync per transaction,
            // cheap at our volume. Set on the writer, the only connection that
            // commits.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // A savepoint (a group commit run item by item) keeps a
                // statement journal with the original of every page its item
                // changes. While filing rows held their payloads (overflow
                // pages, before step v8-filing-payloads) it passed SQLite's
                // 64 KB in-memory limit and went to a temporary file, opened
                // and written per transaction; and 2 MB of page cache made
                // big batches spill dirty pages into the WAL early.
                // In memory and with 32 MB of cache the dispatch benchmark spent
                // ~7 % less CPU per filing (Benchmarks/RESULTS.md).
                // (`prune` switches to FILE for its VACUUM.)
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try db.execute(sql: "PRAGMA cache_size = -32000")
            }
            try Self.migrate(pool)
            self.pool = pool
            self.acceptQueue = GroupCommitQueue(pool: pool, action: "accepting an order", apply: Self.insertOrder)
            self.completionQueue = GroupCommitQueue(pool: pool, action: "recording a delivery attempt") { completion, db in
                try Self.recordAttempt(completion.attempt, outcome: completion.outcome, now: completion.now, db)
            }
            self.enqueueQueue = GroupCommitQueue(pool: pool, action: "queueing an order", apply: Self.insertQueuedOrder)
            self.receiptQueue = GroupCommitQueue(pool: pool, action: "applying a receipt", apply: Self.applyReceipt)
        } catch {
            throw Self.storeError(error, "opening the store at \(path)")
        }
    }

    /// Runs the migrations, once more if another process raced us. GRDB
    /// reads the applied steps outside each step's transaction, so two
    /// processes opening a new file at once (`yidan run` beside `yidan submit`)
    /// both start step 1; the loser's step fails (its tables exist, its
    /// `grdb_migrations` row is a duplicate) and is rolled back whole. Run
    /// again, it finds the steps applied.
    private static func migrate(_ pool: DatabasePool) throws {
        var attempt = 1
        while true {
            do {
                return try StoreMigrations.migrator.migrate(pool)
            } catch is DatabaseError where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Closes the connections. Further calls throw. Closing happens on deinit
    /// too; this is for callers that want to reopen the same file at once.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw Self.storeError(error, "closing the store")
        }
    }

    // MARK: - Accepting orders

    public func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome {
        try await acceptQueue.submit(submission)
    }

    /// Accepting one order inside the caller's transaction (a group commit's batch).
    static func insertOrder(_ submission: OrderSubmission, _ db: Database) throws -> AcceptOutcome {
            // Cached statements: a group commit runs these hundreds of times per transaction.
            let known = try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM orders WHERE order_no = ?"), arguments: [submission.orderNo])
            if known != nil {
                return .alreadyAccepted(filingIDs: try Self.filingIDs(orderNo: submission.orderNo, db))
            }
            if let use = submission.allowance {
                try Self.addAllowance(use, db)
            }
            let now = StoreColumn.seconds(submission.acceptedAt)
            try db.cachedStatement(
                sql: "INSERT INTO orders (order_no, platform, order_json, accepted_at, merchant, agent) VALUES (?, ?, ?, ?, ?, ?)"
            ).execute(
                arguments: [
                    submission.orderNo, submission.platform, submission.orderJSON, now, submission.merchant, submission.agent,
                ]
            )
            for filing in submission.filings {
                try Self.insertFiling(filing, orderNo: submission.orderNo, at: submission.acceptedAt, db)
            }
            return .accepted(filingIDs: submission.filings.map(\.id))
    }

    public func allowanceUsed(buyerKey: String, year: Int) async throws -> Decimal {
        try await read("reading an allowance") { db in
            try Self.allowanceUsed(buyerKey: buyerKey, year: year, db)
        }
    }

    /// Checks the buyer's annual allowance and adds this order's use, inside
    /// the caller's transaction. The error states amounts only: the buyer key
    /// is a hash, but it still points at a person.
    private static func addAllowance(_ use: AllowanceUse, _ db: Database) throws {
        guard use.amount >= 0 else {
            throw YidanError(.invalidOrder, "allowance use must not be negative (\(StoreColumn.text(use.amount)))")
        }
        let used = try allowanceUsed(buyerKey: use.buyerKey, year: use.year, db)
        let total = used + use.amount
        guard total <= use.limit else {
            throw YidanError(
                .notEligible,
                "annual allowance for \(use.year) exceeded: already used \(StoreColumn.text(used)) + this order "
                    + "\(StoreColumn.text(use.amount)) = \(StoreColumn.text(total)) > limit \(StoreColumn.text(use.limit))"
            )
        }
        try db.execute(
            sql: """
                INSERT INTO buyer_allowance (buyer_key, year, used) VALUES (?, ?, ?)
                ON CONFLICT (buyer_key, year) DO UPDATE SET used = excluded.used
                """,
            arguments: [use.buyerKey, use.year, StoreColumn.text(total)]
        )
    }

    private static func allowanceUsed(buyerKey: String, year: Int, _ db: Database) throws -> Decimal {
        let text = try String.fetchOne(
            db, sql: "SELECT used FROM buyer_allowance WHERE buyer_key = ? AND year = ?", arguments: [buyerKey, year]
        )
        guard let text else { return 0 }
        return try StoreColumn.decimal(text, column: "allowance")
    }

    static func filingIDs(orderNo: String, _ db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM filings WHERE order_no = ? ORDER BY rowid", arguments: [orderNo])
    }

    // MARK: - The outbox

    /// A lease ends at `lease_until`: at that instant (`<=`) the filing is due
    /// again, matching `queued` filings being due at `next_attempt_at`, so a
    /// dispatcher that sleeps until `nextDueTime()` always finds work there.
    public func claimDue(now: Date, limit: Int, lease: Duration) async throws -> [FilingRecord] {
        guard limit > 0 else { return [] }
        let nowSeconds = StoreColumn.seconds(now)
        let leaseUntil = nowSeconds + StoreColumn.seconds(lease)
        return try await write("claiming due filings") { db in
            let ids = try Self.dueFilingIDs(now: nowSeconds, limit: limit, db)
            return try Self.take(ids, leaseUntil: leaseUntil, now: nowSeconds, db)
        }
    }

    /// Moves the chosen filings to `sending` under a lease (logged as a claim)
    /// and reads them back, inside the claiming transaction.
    static func take(_ ids: [String], leaseUntil: Double, now nowSeconds: Double, _ db: Database) throws -> [FilingRecord] {
        guard !ids.isEmpty else { return [] }
        // Two statements for the whole claim instead of three per filing: the
        // claim runs a few hundred times a second under load.
        let sending = FilingStatus.sending.rawValue
        try logMoves(filingIDs: ids, to: .sending, at: nowSeconds, cause: .claim, db)
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "UPDATE filings SET status = ?, lease_until = ?, updated_at = ? WHERE id IN (\(sqlPlaceholders(ids.count))) RETURNING \(filingRowColumns)"),
            arguments: StatementArguments([sending, leaseUntil, nowSeconds] as [any DatabaseValueConvertible] + ids)
        )
        let payloads = try payloads(of: ids, db)
        // RETURNING gives no order: back to the claim's (due) order.
        let byID = try Dictionary(
            rows.map { row in
                let id: String = row["id"]
                return (id, try FilingRecord(row: row, payload: payloads[id] ?? Data()))
            },
            uniquingKeysWith: { first, _ in first }
        )
        return ids.compactMap { byID[$0] }
    }

    /// Records the attempt and applies its outcome if the filing is still
    /// `sending`. If a receipt moved it on meanwhile (the gateway answered
    /// before our HTTP call returned), its status stays where the receipt put
    /// it; the attempt is still counted and kept.
    /// Concurrent calls share one transaction (group commit); each returns after its commit.
    public func completeAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date) async throws {
        try await completionQueue.submit(AttemptCompletion(attempt: attempt, outcome: outcome, now: now))
    }

    /// One attempt's record and outcome, inside the caller's transaction (a group commit's batch).
    static func recordAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date, _ db: Database) throws {
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT status, order_no, idempotency_key FROM filings WHERE id = ?"), arguments: [attempt.filingID]
            )
            guard let row, let statusText = row["status"] as String? else {
                throw YidanError(.notFound, "no filing with id \(attempt.filingID)")
            }
            let answer = attempt.httpStatus.map { "HTTP \($0)" } ?? "no HTTP answer"
            try Self.appendAudit(
                .sent, orderNo: row["order_no"], filingID: attempt.filingID, detail: "attempt \(attempt.number): \(answer)",
                digest: attempt.requestDigest ?? row["idempotency_key"], at: attempt.startedAt, db
            )
            try db.cachedStatement(
                sql: """
                    INSERT INTO attempts (filing_id, number, started_at, http_status, latency_ms, error)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    attempt.filingID, attempt.number, StoreColumn.seconds(attempt.startedAt), attempt.httpStatus,
                    attempt.latencyMilliseconds, attempt.error,
                ]
            )
            let nowSeconds = StoreColumn.seconds(now)
            guard statusText == FilingStatus.sending.rawValue else {
                try db.cachedStatement(sql: "UPDATE filings SET attempts = attempts + 1, updated_at = ? WHERE id = ?")
                    .execute(arguments: [nowSeconds, attempt.filingID])
                return
            }
            let status: FilingStatus
            let nextAttemptAt: Double?
            let lastError: String?
            switch outcome {
            case .delivered:
                (status, nextAttemptAt, lastError) = (.delivered, nil, nil)
            case let .retry(at, error):
                (status, nextAttemptAt, lastError) = (.queued, StoreColumn.seconds(at), error)
            case let .dead(error):
                (status, nextAttemptAt, lastError) = (.dead, nil, error)
            }
            try Self.logMove(filingID: attempt.filingID, to: status, at: nowSeconds, cause: .delivery, db)
            try db.cachedStatement(
                sql: """
                    UPDATE filings SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL,
                                       last_error = ?, updated_at = ?
                    WHERE id = ?
                    """
            ).execute(
                arguments: [status.rawValue, nextAttemptAt, lastError, nowSeconds, attempt.filingID]
            )
    }

    /// The earliest time `claimDue` will find work: the first `queued`
    /// filing's next attempt, or the first lease of a `sending` filing to run
    /// out (a dispatcher that crashed mid-send). Nil when the outbox is empty.
    public func nextDueTime() async throws -> Date? {
        try await nextDueTime(where: "1", "reading the next due time")
    }

    /// `nextDueTime` over the filings `condition` selects (an authority's kinds).
    func nextDueTime(where condition: String, _ action: String) async throws -> Date? {
        try await read(action) { db in
            let seconds = try Double.fetchOne(
                db,
                sql: """
                    SELECT MIN(due) FROM (
                        SELECT * FROM (
                            SELECT next_attempt_at AS due FROM filings
                            WHERE status = ? AND \(condition) AND \(Self.notHeldByPrerequisites)
                            ORDER BY next_attempt_at LIMIT 1
                        )
                        UNION ALL
                        SELECT MIN(lease_until) AS due FROM filings WHERE status = ? AND \(condition)
                    )
                    """,
                arguments: [FilingStatus.queued.rawValue, FilingStatus.sending.rawValue]
            )
            return StoreColumn.date(seconds)
        }
    }

    /// SQL condition on `filings`: none of the row's prerequisite filings
    /// (`MessageKind.prerequisites`, e.g. an inventory's order, payment and
    /// waybill) is still waiting in the outbox. Built from the model, so the
    /// rule lives in one place.
    static let notHeldByPrerequisites: String = {
        let awaiting = FilingStatus.allCases.filter(\.isAwaitingDelivery).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let rules = MessageKind.allCases.filter { !$0.prerequisites.isEmpty }.map { kind in
            let kinds = kind.prerequisites.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return "(filings.kind = '\(kind.rawValue)' AND p.kind IN (\(kinds)))"
        }
        guard !rules.isEmpty else { return "1" }
        return """
            NOT EXISTS (SELECT 1 FROM filings AS p WHERE p.order_no = filings.order_no
                AND p.status IN (\(awaiting)) AND (\(rules.joined(separator: " OR "))))
            """
    }()

    // MARK: - Access helpers

    static func filing(id: String, _ db: Database) throws -> FilingRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(filingColumns) FROM \(filingsWithPayloads) WHERE id = ?"), arguments: [id])
            .map(FilingRecord.init(row:))
    }

    /// One write transaction; database errors become `YidanError`s.
    func write<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.storeError(error, action)
        }
    }

    /// One read, from a snapshot that sees every committed write.
    func read<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.storeError(error, action)
        }
    }

    /// Keeps `YidanError`s and cancellation as they are; wraps anything else
    /// with a message that names the action and the SQLite code only (the
    /// cause, for debugging, may hold SQL).
    static func storeError(_ error: any Error, _ action: String) -> any Error {
        if error is YidanError || error is CancellationError { return error }
        if let error = error as? DatabaseError {
            switch error.extendedResultCode {
            case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
                return YidanError(.duplicate, "\(action): an id or idempotency key is already stored", cause: error)
            // A full disk or a lock held too long: the transaction was rolled
            // back whole, so the caller can say "nothing was stored, try again".
            case _ where error.resultCode == .SQLITE_FULL:
                return YidanError(.store, "\(action) failed: the disk is full; nothing was stored", cause: error)
            case _ where error.resultCode == .SQLITE_ABORT:
                // GRDB's answer once SQLite rolled a transaction back on its own
                // (full disk, I/O error) while the batch was still running.
                return YidanError(.store, "\(action) failed: SQLite rolled the transaction back (disk full or I/O error); nothing was stored", cause: error)
            case _ where error.resultCode == .SQLITE_BUSY:
                return YidanError(.store, "\(action) failed: the store stayed locked by another writer for \(Int(busyTimeout)) s; nothing was stored, try again", cause: error)
            default:
                return YidanError(.store, "\(action) failed (SQLite code \(error.extendedResultCode.rawValue))", cause: error)
            }
        }
        return YidanError(.store, "\(action) failed", cause: error)
    }
}
