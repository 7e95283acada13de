public import Foundation
import GRDB
public import YidanCore

/// The broker's desk on SQLite: filtered pages of filings, retries, the
/// status-change log, stuck filings and per-authority counts.
extension SQLiteFilingStore: BrokerStore {
    public func filings(matching query: FilingQuery) async throws -> FilingPage {
        let limit = query.clampedLimit
        if let kinds = query.allowedKinds, kinds.isEmpty { return FilingPage(filings: [], next: nil) }
        if let statuses = query.statuses, statuses.isEmpty { return FilingPage(filings: [], next: nil) }
        let (condition, arguments) = Self.condition(for: query)
        return try await read("listing filings") { db in
            // One row more than the page tells whether another page follows.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(overviewColumns) FROM filings AS f JOIN orders AS o ON o.order_no = f.order_no
                    WHERE \(condition)
                    ORDER BY f.created_at DESC, f.id DESC
                    LIMIT ?
                    """,
                arguments: arguments + [limit + 1]
            )
            let filings = try rows.prefix(limit).map(FilingOverview.init(row:))
            let next = rows.count > limit ? filings.last?.cursor : nil
            return FilingPage(filings: filings, next: next)
        }
    }

    /// The WHERE clause of a query and its arguments, in order.
    static func condition(for query: FilingQuery) -> (String, StatementArguments) {
        var clauses: [String] = []
        var arguments = StatementArguments()
        func anyOf(_ column: String, _ values: [String]) {
            clauses.append("\(column) IN (\(sqlPlaceholders(values.count)))")
            arguments += StatementArguments(values)
        }
        if let statuses = query.statuses, !statuses.isEmpty { anyOf("f.status", statuses.map(\.rawValue).sorted()) }
        if let kinds = query.allowedKinds { anyOf("f.kind", kinds.map(\.rawValue).sorted()) }
        if let merchants = query.merchants, !merchants.isEmpty { anyOf("o.merchant", merchants.sorted()) }
        if let orderNo = query.orderNo {
            clauses.append("f.order_no = ?")
            arguments += [orderNo]
        }
        if let from = query.createdFrom {
            clauses.append("f.created_at >= ?")
            arguments += [StoreColumn.seconds(from)]
        }
        if let to = query.createdTo {
            clauses.append("f.created_at < ?")
            arguments += [StoreColumn.seconds(to)]
        }
        if let after = query.after {
            let seconds = StoreColumn.seconds(after.createdAt)
            clauses.append("(f.created_at < ? OR (f.created_at = ? AND f.id < ?))")
            arguments += [seconds, seconds, after.id]
        }
        return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), arguments)
    }

    // MARK: - Retries

    public func retry(filingID: String, at: Date) async throws -> FilingRecord {
        try await write("retrying a filing") { db in
            guard let filing = try Self.filing(id: filingID, db) else {
                throw YidanError(.notFound, "no filing with id \(filingID)")
            }
            guard BrokerRetryRule.mayRetry(status: filing.status, lastReturnStatus: filing.lastReturnStatus) else {
                throw YidanError(
                    .notEligible,
                    "filing \(filingID) is \(filing.status.rawValue)"
                        + (filing.lastReturnStatus.map { " (returnStatus \($0))" } ?? "")
                        + ": only a dead filing or one refused before customs saw it can be retried; "
                        + "use resubmit for a refusal of its content"
                )
            }
            return try Self.requeue(filing, at: at, db)
        }
    }

    public func retryAllDead(at: Date) async throws -> [FilingRecord] {
        try await write("retrying dead filings") { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM filings WHERE status = ? ORDER BY created_at, id",
                arguments: [FilingStatus.dead.rawValue]
            )
            return try ids.compactMap { try Self.filing(id: $0, db) }.map { try Self.requeue($0, at: at, db) }
        }
    }

    /// Back to the outbox, due at `at`; attempts and the last error stay for the record.
    private static func requeue(_ filing: FilingRecord, at: Date, _ db: Database) throws -> FilingRecord {
        let seconds = StoreColumn.seconds(at)
        try logMove(filingID: filing.id, to: .queued, at: seconds, cause: .retry, db)
        try db.cachedStatement(sql: "UPDATE filings SET status = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?")
            .execute(arguments: [FilingStatus.queued.rawValue, seconds, seconds, filing.id])
        guard let record = try Self.filing(id: filing.id, db) else {
            throw YidanError(.store, "filing \(filing.id) vanished while being retried")
        }
        return record
    }

    // MARK: - The status-change log

    public func statusChanges(after: Int64, limit: Int) async throws -> [StatusChange] {
        guard limit > 0 else { return [] }
        return try await read("reading status changes") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.id, c.filing_id, c.order_no, o.merchant, c.kind, c.from_status, c.to_status, c.at,
                           c.return_status, c.cause
                    FROM status_changes AS c LEFT JOIN orders AS o ON o.order_no = c.order_no
                    WHERE c.id > ? ORDER BY c.id LIMIT ?
                    """,
                arguments: [after, min(limit, FilingQuery.maximumLimit)]
            ).map(StatusChange.init(row:))
        }
    }

    public func lastStatusChangeID() async throws -> Int64 {
        try await read("reading the status-change log") { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM status_changes") ?? 0
        }
    }

    // MARK: - Desk overviews

    /// A status is final per kind (`FilingStatus.isTerminal(for:)`); the SQL
    /// condition is built from the model, so the rule lives in one place.
    public func stuckFilings(before: Date, limit: Int) async throws -> [FilingOverview] {
        guard limit > 0 else { return [] }
        return try await read("listing stuck filings") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(overviewColumns) FROM filings AS f JOIN orders AS o ON o.order_no = f.order_no
                    WHERE f.created_at < ? AND NOT \(Self.isFinal)
                    ORDER BY f.created_at, f.id LIMIT ?
                    """,
                arguments: [StoreColumn.seconds(before), min(limit, FilingQuery.maximumLimit)]
            ).map(FilingOverview.init(row:))
        }
    }

    /// SQL condition on `f` (filings): the filing's status is final for its kind.
    static let isFinal: String = {
        let pairs = MessageKind.allCases.map { kind in
            let finals = FilingStatus.allCases.filter { $0.isTerminal(for: kind) }.map { "'\($0.rawValue)'" }
            return "(f.kind = '\(kind.rawValue)' AND f.status IN (\(finals.joined(separator: ", "))))"
        }
        return "(" + pairs.joined(separator: " OR ") + ")"
    }()

    public func orderMerchant(orderNo: String) async throws -> String? {
        try await read("reading an order's merchant") { db in
            try String.fetchOne(db, sql: "SELECT merchant FROM orders WHERE order_no = ?", arguments: [orderNo])
        }
    }

    public func statusCountsByAuthority() async throws -> [Authority: [FilingStatus: Int]] {
        try await read("counting filings") { db in
            var counts: [Authority: [FilingStatus: Int]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, status, COUNT(*) AS n FROM filings GROUP BY kind, status") {
                let kind = try MessageKind.decode(row, column: "kind")
                let status = try FilingStatus.decode(row, column: "status")
                counts[kind.authority, default: [:]][status, default: 0] += try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }
}

/// Writing the status-change log (`StatusChange`). Each helper runs inside the
/// caller's transaction, next to the statement that moves the status, so the
/// log holds every move exactly once and none that rolled back.
extension SQLiteFilingStore {
    /// Logs the move of filing `id` from its current status to `to`; call it
    /// BEFORE the UPDATE that makes the move. Logs nothing when the filing
    /// already has that status (a claim of a `sending` filing whose lease ran
    /// out is not a move).
    static func logMove(
        filingID: String, to: FilingStatus, at: Double, returnStatus: String? = nil, cause: StatusChangeCause,
        _ db: Database
    ) throws {
        try logMoves(filingIDs: [filingID], to: to, at: at, returnStatus: returnStatus, cause: cause, db)
    }

    /// The same for several filings in one statement (a claim), in the
    /// order they were stored.
    static func logMoves(
        filingIDs: [String], to: FilingStatus, at: Double, returnStatus: String? = nil, cause: StatusChangeCause,
        _ db: Database
    ) throws {
        guard !filingIDs.isEmpty else { return }
        let head: [any DatabaseValueConvertible & Sendable] = [to.rawValue, at, returnStatus, cause.rawValue]
        try db.cachedStatement(sql: """
                INSERT INTO status_changes (filing_id, order_no, kind, from_status, to_status, at, return_status, cause)
                SELECT id, order_no, kind, status, ?, ?, ?, ? FROM filings WHERE id IN (\(sqlPlaceholders(filingIDs.count))) AND status <> ?
                ORDER BY rowid
                """).execute(arguments: StatementArguments(head + filingIDs + [to.rawValue]))
    }

    /// Logs a filing's first status; call it AFTER the INSERT that stores it.
    static func logStored(filingID: String, at: Double, _ db: Database) throws {
        try db.cachedStatement(sql: """
                INSERT INTO status_changes (filing_id, order_no, kind, from_status, to_status, at, return_status, cause)
                SELECT id, order_no, kind, NULL, status, ?, NULL, ? FROM filings WHERE id = ?
                """).execute(arguments: [at, StatusChangeCause.stored.rawValue, filingID])
    }
}

/// The columns `FilingOverview(row:)` reads: filings as `f`, orders as `o`.
let overviewColumns = """
    f.id, f.order_no, f.kind, f.status, f.attempts, f.next_attempt_at, f.lease_until, f.last_error,
    f.last_return_status, f.last_return_info, f.created_at, f.updated_at, f.purpose, f.supersedes,
    o.merchant, o.agent
    """

extension MessageKind {
    static func decode(_ row: Row, column: String) throws -> MessageKind {
        let text = try row.decode(String.self, forColumn: column)
        guard let kind = MessageKind(rawValue: text) else {
            throw YidanError(.store, "unknown filing kind '\(text)' in the store")
        }
        return kind
    }
}

extension FilingStatus {
    static func decode(_ row: Row, column: String) throws -> FilingStatus {
        let text = try row.decode(String.self, forColumn: column)
        guard let status = FilingStatus(rawValue: text) else {
            throw YidanError(.store, "unknown filing status '\(text)' in the store")
        }
        return status
    }
}

extension FilingOverview {
    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            orderNo: try row.decode(forColumn: "order_no"),
            kind: try MessageKind.decode(row, column: "kind"),
            status: try FilingStatus.decode(row, column: "status"),
            attempts: try row.decode(forColumn: "attempts"),
            nextAttemptAt: StoreColumn.date(try row.decode(Double?.self, forColumn: "next_attempt_at")),
            leaseUntil: StoreColumn.date(try row.decode(Double?.self, forColumn: "lease_until")),
            lastError: try row.decode(forColumn: "last_error"),
            lastReturnStatus: try row.decode(forColumn: "last_return_status"),
            lastReturnInfo: try row.decode(forColumn: "last_return_info"),
            createdAt: StoreColumn.date(try row.decode(Double.self, forColumn: "created_at")),
            updatedAt: StoreColumn.date(try row.decode(Double.self, forColumn: "updated_at")),
            purpose: try FilingPurpose.decode(row),
            supersedes: try row.decode(forColumn: "supersedes"),
            merchant: try row.decode(forColumn: "merchant"),
            agent: try row.decode(forColumn: "agent")
        )
    }
}

extension StatusChange {
    init(row: Row) throws {
        let from: String? = try row.decode(forColumn: "from_status")
        let causeText = try row.decode(String.self, forColumn: "cause")
        guard let cause = StatusChangeCause(rawValue: causeText) else {
            throw YidanError(.store, "unknown status-change cause '\(causeText)' in the store")
        }
        self.init(
            id: try row.decode(forColumn: "id"),
            filingID: try row.decode(forColumn: "filing_id"),
            orderNo: try row.decode(forColumn: "order_no"),
            merchant: try row.decode(forColumn: "merchant"),
            kind: try MessageKind.decode(row, column: "kind"),
            from: try from.map { text in
                guard let status = FilingStatus(rawValue: text) else {
                    throw YidanError(.store, "unknown filing status '\(text)' in the store")
                }
                return status
            },
            to: try FilingStatus.decode(row, column: "to_status"),
            at: StoreColumn.date(try row.decode(Double.self, forColumn: "at")),
            returnStatus: try row.decode(forColumn: "return_status"),
            cause: cause
        )
    }
}
