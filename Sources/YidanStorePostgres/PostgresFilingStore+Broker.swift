public import Foundation
import PostgresNIO
public import YidanCore
public import YidanStore

/// The broker's desk on the shared store: pages of filings, retries, the
/// status-change log and overviews (the SQLite store's semantics).
extension PostgresFilingStore: BrokerStore {
    static let overviewColumns = """
        f.id, f.order_no, f.kind, f.status, f.attempts, f.next_attempt_at, f.lease_until, f.last_error,
        f.last_return_status, f.last_return_info, f.created_at, f.updated_at, f.purpose, f.supersedes,
        o.merchant, o.agent
        """

    public func filings(matching query: FilingQuery) async throws -> FilingPage {
        let limit = query.clampedLimit
        if let kinds = query.allowedKinds, kinds.isEmpty { return FilingPage(filings: [], next: nil) }
        if let statuses = query.statuses, statuses.isEmpty { return FilingPage(filings: [], next: nil) }
        let statuses = query.statuses.flatMap { $0.isEmpty ? nil : $0.map(\.rawValue).sorted() }
        let kinds = query.allowedKinds.map { $0.map(\.rawValue).sorted() }
        let merchants = query.merchants.flatMap { $0.isEmpty ? nil : $0.sorted() }
        let after = query.after
        let final: PostgresQuery = """
            SELECT \(unescaped: Self.overviewColumns) FROM filings AS f JOIN orders AS o ON o.order_no = f.order_no
            WHERE (\(statuses == nil) OR f.status = ANY(\(statuses ?? [])))
              AND (\(kinds == nil) OR f.kind = ANY(\(kinds ?? [])))
              AND (\(merchants == nil) OR o.merchant = ANY(\(merchants ?? [])))
              AND (\(query.orderNo == nil) OR f.order_no = \(query.orderNo ?? ""))
              AND (\(query.createdFrom == nil) OR f.created_at >= \(query.createdFrom?.timeIntervalSince1970 ?? 0))
              AND (\(query.createdTo == nil) OR f.created_at < \(query.createdTo?.timeIntervalSince1970 ?? 0))
              AND (\(after == nil) OR f.created_at < \(after?.createdAt.timeIntervalSince1970 ?? 0)
                   OR (f.created_at = \(after?.createdAt.timeIntervalSince1970 ?? 0) AND f.id < \(after?.id ?? "")))
            ORDER BY f.created_at DESC, f.id DESC
            LIMIT \(limit + 1)
            """
        return try await read("listing filings") { connection in
            // One row more than the page tells whether another page follows.
            let rows = try await connection.query(final, logger: logger).collect()
            let filings = try rows.prefix(limit).map(Self.overview)
            return FilingPage(filings: filings, next: rows.count > limit ? filings.last?.cursor : nil)
        }
    }

    public func retry(filingID: String, at: Date) async throws -> FilingRecord {
        try await transaction("retrying a filing") { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE id = \(filingID) FOR UPDATE", logger: logger
            ).collect()
            guard let filing = try rows.first.map({ try PostgresRows.filing($0).record }) else {
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
            return try await Self.requeue([filing], at: at, connection, logger)[0]
        }
    }

    public func retryAllDead(at: Date) async throws -> [FilingRecord] {
        try await transaction("retrying dead filings") { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE status = \(FilingStatus.dead.rawValue)
                ORDER BY created_at, id FOR UPDATE
                """,
                logger: logger
            ).collect()
            return try await Self.requeue(try rows.map { try PostgresRows.filing($0).record }, at: at, connection, logger)
        }
    }

    /// Back to `queued`, due at `at`, attempts kept; rows already locked by the caller.
    private static func requeue(_ filings: [FilingRecord], at: Date, _ connection: PostgresConnection, _ logger: Logger) async throws -> [FilingRecord] {
        guard !filings.isEmpty else { return [] }
        let seconds = at.timeIntervalSince1970
        try await logMoves(filings.map { StatusMove(filingID: $0.id, from: $0.status, to: .queued) }, at: at, cause: .retry, connection, logger)
        var requeued: [FilingRecord] = []
        for filing in filings {
            let rows = try await connection.query(
                """
                UPDATE filings SET status = \(FilingStatus.queued.rawValue), next_attempt_at = \(seconds), lease_until = NULL,
                                   lease_owner = NULL, updated_at = \(seconds)
                WHERE id = \(filing.id) RETURNING \(unescaped: PostgresRows.filingColumns)
                """,
                logger: logger
            ).collect()
            guard let record = try rows.first.map({ try PostgresRows.filing($0).record }) else {
                throw YidanError(.store, "filing \(filing.id) vanished while being retried")
            }
            requeued.append(record)
        }
        return requeued
    }

    public func statusChanges(after: Int64, limit: Int) async throws -> [StatusChange] {
        guard limit > 0 else { return [] }
        return try await read("reading status changes") { connection in
            try await connection.query(
                """
                SELECT c.id, c.filing_id, c.order_no, o.merchant, c.kind, c.from_status, c.to_status, c.at, c.return_status, c.cause
                FROM status_changes AS c LEFT JOIN orders AS o ON o.order_no = c.order_no
                WHERE c.id > \(after) ORDER BY c.id LIMIT \(min(limit, FilingQuery.maximumLimit))
                """,
                logger: logger
            ).collect().map { row in
                let cells = row.makeRandomAccess()
                return StatusChange(
                    id: try cells["id"].decode(Int64.self),
                    filingID: try cells["filing_id"].decode(String.self),
                    orderNo: try cells["order_no"].decode(String.self),
                    merchant: try cells["merchant"].decode(String?.self),
                    kind: try PostgresRows.raw(MessageKind.self, cells["kind"], "filing kind"),
                    from: try cells["from_status"].decode(String?.self).map { text in
                        guard let status = FilingStatus(rawValue: text) else {
                            throw YidanError(.store, "unknown filing status '\(text)' in the store")
                        }
                        return status
                    },
                    to: try PostgresRows.raw(FilingStatus.self, cells["to_status"], "filing status"),
                    at: PostgresRows.date(try cells["at"].decode(Double.self)),
                    returnStatus: try cells["return_status"].decode(String?.self),
                    cause: try PostgresRows.raw(StatusChangeCause.self, cells["cause"], "status change cause")
                )
            }
        }
    }

    public func lastStatusChangeID() async throws -> Int64 {
        try await read("reading the status-change log") { connection in
            try await connection.query("SELECT MAX(id) FROM status_changes", logger: logger).collect().first?.decode(Int64?.self) ?? 0
        }
    }

    public func stuckFilings(before: Date, limit: Int) async throws -> [FilingOverview] {
        guard limit > 0 else { return [] }
        return try await read("listing stuck filings") { connection in
            try await connection.query(
                """
                SELECT \(unescaped: Self.overviewColumns) FROM filings AS f JOIN orders AS o ON o.order_no = f.order_no
                WHERE f.created_at < \(before.timeIntervalSince1970) AND NOT \(unescaped: Self.isFinal)
                ORDER BY f.created_at, f.id LIMIT \(min(limit, FilingQuery.maximumLimit))
                """,
                logger: logger
            ).collect().map(Self.overview)
        }
    }

    /// SQL: the filing `f` has a final status for its kind (from the model).
    static let isFinal: String = {
        let pairs = MessageKind.allCases.map { kind in
            let finals = FilingStatus.allCases.filter { $0.isTerminal(for: kind) }.map { "'\($0.rawValue)'" }
            return "(f.kind = '\(kind.rawValue)' AND f.status IN (\(finals.joined(separator: ", "))))"
        }
        return "(" + pairs.joined(separator: " OR ") + ")"
    }()

    public func orderMerchant(orderNo: String) async throws -> String? {
        try await read("reading an order's merchant") { connection in
            try await connection.query("SELECT merchant FROM orders WHERE order_no = \(orderNo)", logger: logger)
                .collect().first?.decode(String?.self)
        }
    }

    public func statusCountsByAuthority() async throws -> [Authority: [FilingStatus: Int]] {
        try await read("counting filings") { connection in
            var counts: [Authority: [FilingStatus: Int]] = [:]
            for try await (kindText, statusText, count) in try await connection.query(
                "SELECT kind, status, COUNT(*) FROM filings GROUP BY kind, status", logger: logger
            ).decode((String, String, Int).self) {
                guard let kind = MessageKind(rawValue: kindText), let status = FilingStatus(rawValue: statusText) else {
                    throw YidanError(.store, "unknown filing kind or status '\(kindText)'/'\(statusText)' in the store")
                }
                counts[kind.authority, default: [:]][status, default: 0] += count
            }
            return counts
        }
    }

    static func overview(_ row: PostgresRow) throws -> FilingOverview {
        let cells = row.makeRandomAccess()
        return FilingOverview(
            id: try cells["id"].decode(String.self),
            orderNo: try cells["order_no"].decode(String.self),
            kind: try PostgresRows.raw(MessageKind.self, cells["kind"], "filing kind"),
            status: try PostgresRows.raw(FilingStatus.self, cells["status"], "filing status"),
            attempts: try cells["attempts"].decode(Int.self),
            nextAttemptAt: try cells["next_attempt_at"].decode(Double?.self).map(PostgresRows.date),
            leaseUntil: try cells["lease_until"].decode(Double?.self).map(PostgresRows.date),
            lastError: try cells["last_error"].decode(String?.self),
            lastReturnStatus: try cells["last_return_status"].decode(String?.self),
            lastReturnInfo: try cells["last_return_info"].decode(String?.self),
            createdAt: PostgresRows.date(try cells["created_at"].decode(Double.self)),
            updatedAt: PostgresRows.date(try cells["updated_at"].decode(Double.self)),
            purpose: try PostgresRows.raw(FilingPurpose.self, cells["purpose"], "filing purpose"),
            supersedes: try cells["supersedes"].decode(String?.self),
            merchant: try cells["merchant"].decode(String?.self),
            agent: try cells["agent"].decode(String?.self)
        )
    }
}
