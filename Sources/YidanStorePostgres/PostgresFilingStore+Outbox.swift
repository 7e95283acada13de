public import Foundation
import PostgresNIO
public import YidanCore
public import YidanStore

extension PostgresFilingStore {
    /// Claims due filings (queued and due, or sending with a lease run out)
    /// whose prerequisites are delivered, oldest first, with `FOR UPDATE SKIP
    /// LOCKED`: workers claiming at once get disjoint filings and never wait
    /// on each other's rows. A claim of an expired lease counts as a rescue.
    ///
    /// With `authorityLimits`, a claim first takes a transaction-scoped
    /// advisory lock (claims of all workers then run one at a time — they are
    /// short) and counts each authority's live leases, so the limit holds
    /// across every worker sharing the database.
    public func claimDue(now: Date, limit: Int, lease: Duration) async throws -> [FilingRecord] {
        guard limit > 0 else { return [] }
        return try await claim(now: now, lease: lease, requested: nil, limit: limit)
    }

    /// `claimDue` with this process's cap per authority (its circuit breakers,
    /// concurrency and rate limits), within the cross-worker limits.
    public func claimDue(now: Date, limits: [Authority: Int], lease: Duration) async throws -> [FilingRecord] {
        let wanted = limits.filter { $0.value > 0 }
        guard !wanted.isEmpty else { return [] }
        return try await claim(now: now, lease: lease, requested: wanted, limit: wanted.values.reduce(0, +))
    }

    /// Both claims: `requested` nil takes any authority's filings up to `limit`.
    private func claim(now: Date, lease: Duration, requested: [Authority: Int]?, limit: Int) async throws -> [FilingRecord] {
        let nowSeconds = now.timeIntervalSince1970
        let leaseUntil = nowSeconds + Self.seconds(lease)
        let shared = options.authorityLimits
        return try await transaction("claiming due filings") { connection in
            var groups: [(kinds: [MessageKind]?, room: Int)] = [(nil, limit)]
            if requested != nil || !shared.isEmpty {
                var inFlight: [Authority: Int] = [:]
                if !shared.isEmpty {
                    try await connection.query("SELECT pg_advisory_xact_lock(\(Self.claimLockKey))", logger: logger)
                    inFlight = try await Self.liveLeasesByAuthority(now: nowSeconds, connection, logger)
                }
                // A fixed order, as the SQLite store, so no authority is always claimed last.
                groups = Authority.allCases.compactMap { authority in
                    var room = limit
                    if let requested {
                        guard let wanted = requested[authority] else { return nil }
                        room = wanted
                    }
                    if let cap = shared[authority] {
                        room = min(room, max(0, cap - inFlight[authority, default: 0]))
                    }
                    return (MessageKind.allCases.filter { $0.authority == authority }, room)
                }
            }
            var claimed: [(record: FilingRecord, seq: Int64)] = []
            var moves: [StatusMove] = []
            for group in groups {
                let room = min(group.room, limit - claimed.count)
                guard room > 0 else { continue }
                let kindFilter = group.kinds.map { kinds in
                    "AND kind IN (" + kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
                } ?? ""
                let rows = try await connection.query(
                    """
                    WITH due AS (
                        SELECT id, status AS claimed_from FROM filings
                        WHERE ((status = \(FilingStatus.queued.rawValue) AND next_attempt_at <= \(nowSeconds))
                            OR (status = \(FilingStatus.sending.rawValue) AND lease_until <= \(nowSeconds)))
                          \(unescaped: kindFilter)
                          AND \(unescaped: Self.notHeldByPrerequisites)
                        ORDER BY next_attempt_at, created_at, seq
                        LIMIT \(room)
                        FOR UPDATE SKIP LOCKED
                    )
                    UPDATE filings SET status = \(FilingStatus.sending.rawValue), lease_until = \(leaseUntil),
                        lease_owner = \(options.workerID), updated_at = \(nowSeconds),
                        lease_rescues = lease_rescues + CASE WHEN filings.status = \(FilingStatus.sending.rawValue) THEN 1 ELSE 0 END
                    FROM due WHERE filings.id = due.id
                    RETURNING due.claimed_from, \(unescaped: PostgresRows.filingColumns.split(separator: ",").map { "filings." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                    """,
                    logger: logger
                ).collect()
                claimed += try rows.map(PostgresRows.filing)
                for row in rows where try row.makeRandomAccess()["claimed_from"].decode(String.self) == FilingStatus.queued.rawValue {
                    moves.append(StatusMove(filingID: try row.makeRandomAccess()["id"].decode(String.self), from: .queued, to: .sending))
                }
            }
            // A rescued lease (sending → sending) is no move.
            try await Self.logMoves(moves, at: now, cause: .claim, connection, logger)
            return claimed.sorted { a, b in
                let (x, y) = (a.record.nextAttemptAt ?? .distantPast, b.record.nextAttemptAt ?? .distantPast)
                if x != y { return x < y }
                if a.record.createdAt != b.record.createdAt { return a.record.createdAt < b.record.createdAt }
                return a.seq < b.seq
            }.map(\.record)
        }
    }

    /// Records the attempt and applies its outcome if the filing is still
    /// `sending` (a receipt that overtook the HTTP response keeps its status).
    public func completeAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date) async throws {
        try await transaction("recording a delivery attempt") { connection in
            let rows = try await connection.query(
                "SELECT status, order_no, idempotency_key FROM filings WHERE id = \(attempt.filingID) FOR UPDATE", logger: logger
            ).collect()
            guard let (statusText, orderNo, idempotencyKey) = try rows.first?.decode((String, String, String).self) else {
                throw YidanError(.notFound, "no filing with id \(attempt.filingID)")
            }
            let answer = attempt.httpStatus.map { "HTTP \($0)" } ?? "no HTTP answer"
            try await Self.appendAudit(
                .sent, orderNo: orderNo, filingID: attempt.filingID, detail: "attempt \(attempt.number): \(answer)",
                digest: attempt.requestDigest ?? idempotencyKey, at: attempt.startedAt, connection, logger
            )
            try await connection.query(
                """
                INSERT INTO attempts (filing_id, number, started_at, http_status, latency_ms, error, worker)
                VALUES (\(attempt.filingID), \(attempt.number), \(attempt.startedAt.timeIntervalSince1970), \(attempt.httpStatus),
                        \(attempt.latencyMilliseconds), \(attempt.error), \(options.workerID))
                """,
                logger: logger
            )
            let nowSeconds = now.timeIntervalSince1970
            guard statusText == FilingStatus.sending.rawValue else {
                try await connection.query(
                    "UPDATE filings SET attempts = attempts + 1, updated_at = \(nowSeconds) WHERE id = \(attempt.filingID)",
                    logger: logger
                )
                return
            }
            let status: FilingStatus
            let nextAttemptAt: Double?
            let lastError: String?
            switch outcome {
            case .delivered:
                (status, nextAttemptAt, lastError) = (.delivered, nil, nil)
            case let .retry(at, error):
                (status, nextAttemptAt, lastError) = (.queued, at.timeIntervalSince1970, error)
            case let .dead(error):
                (status, nextAttemptAt, lastError) = (.dead, nil, error)
            }
            try await Self.logMoves([StatusMove(filingID: attempt.filingID, from: .sending, to: status)], at: now, cause: .delivery, connection, logger)
            try await connection.query(
                """
                UPDATE filings SET status = \(status.rawValue), attempts = attempts + 1, next_attempt_at = \(nextAttemptAt),
                                   lease_until = NULL, lease_owner = NULL, last_error = \(lastError), updated_at = \(nowSeconds)
                WHERE id = \(attempt.filingID)
                """,
                logger: logger
            )
        }
    }

    /// The earliest time `claimDue` will find work (see `FilingStore.nextDueTime`).
    public func nextDueTime() async throws -> Date? {
        try await read("reading the next due time") { connection in
            let rows = try await connection.query(
                """
                SELECT MIN(due) FROM (
                    SELECT MIN(next_attempt_at) AS due FROM filings
                    WHERE status = \(FilingStatus.queued.rawValue) AND \(unescaped: Self.notHeldByPrerequisites)
                    UNION ALL
                    SELECT MIN(lease_until) AS due FROM filings WHERE status = \(FilingStatus.sending.rawValue)
                ) AS dues
                """,
                logger: logger
            ).collect()
            return try rows.first?.decode(Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// `nextDueTime()` over the filings of these authorities only.
    public func nextDueTime(authorities: Set<Authority>) async throws -> Date? {
        guard !authorities.isEmpty else { return nil }
        let kinds = MessageKind.allCases.filter { authorities.contains($0.authority) }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await read("reading the next due time by authority") { connection in
            let rows = try await connection.query(
                """
                SELECT MIN(due) FROM (
                    SELECT MIN(next_attempt_at) AS due FROM filings
                    WHERE status = \(FilingStatus.queued.rawValue) AND kind IN (\(unescaped: kinds))
                      AND \(unescaped: Self.notHeldByPrerequisites)
                    UNION ALL
                    SELECT MIN(lease_until) AS due FROM filings
                    WHERE status = \(FilingStatus.sending.rawValue) AND kind IN (\(unescaped: kinds))
                ) AS dues
                """,
                logger: logger
            ).collect()
            return try rows.first?.decode(Double?.self).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// The heartbeat: moves the lease of every filing this worker still holds
    /// (`sending`, claimed by `workerID`, lease not yet run out) to `until`.
    /// A lease that already ran out is left alone: another worker may have
    /// rescued the filing. Returns how many leases were extended.
    @discardableResult
    public func extendLeases(until: Date, now: Date) async throws -> Int {
        try await transaction("extending leases") { connection in
            let rows = try await connection.query(
                """
                UPDATE filings SET lease_until = \(until.timeIntervalSince1970)
                WHERE status = \(FilingStatus.sending.rawValue) AND lease_owner = \(options.workerID)
                  AND lease_until > \(now.timeIntervalSince1970)
                RETURNING id
                """,
                logger: logger
            ).collect()
            return rows.count
        }
    }

    /// How many claims took over a filing whose lease had run out, per filing
    /// id (only filings rescued at least once): the multi-worker tests read it.
    public func leaseRescues() async throws -> [String: Int] {
        try await read("reading lease rescues") { connection in
            var rescues: [String: Int] = [:]
            for try await (id, count) in try await connection.query(
                "SELECT id, lease_rescues FROM filings WHERE lease_rescues > 0", logger: logger
            ).decode((String, Int).self) {
                rescues[id] = count
            }
            return rescues
        }
    }

    /// Which worker holds each `sending` filing (filing id → worker id): for
    /// operators looking at a stuck worker, and for the multi-worker tests.
    public func leaseHolders() async throws -> [String: String] {
        try await read("reading lease holders") { connection in
            var holders: [String: String] = [:]
            for try await (id, worker) in try await connection.query(
                "SELECT id, lease_owner FROM filings WHERE status = \(FilingStatus.sending.rawValue) AND lease_owner IS NOT NULL",
                logger: logger
            ).decode((String, String).self) {
                holders[id] = worker
            }
            return holders
        }
    }

    /// Live leases (`sending`, lease not run out) per authority.
    static func liveLeasesByAuthority(now: Double, _ connection: PostgresConnection, _ logger: Logger) async throws -> [Authority: Int] {
        var counts: [Authority: Int] = [:]
        for try await (kindText, count) in try await connection.query(
            """
            SELECT kind, COUNT(*) FROM filings
            WHERE status = \(FilingStatus.sending.rawValue) AND lease_until > \(now) GROUP BY kind
            """,
            logger: logger
        ).decode((String, Int).self) {
            guard let kind = MessageKind(rawValue: kindText) else {
                throw YidanError(.store, "unknown filing kind '\(kindText)' in the store")
            }
            counts[kind.authority, default: 0] += count
        }
        return counts
    }

    /// The advisory lock that serialises limited claims ("ydn2").
    static let claimLockKey: Int64 = 0x7964_6E32

    /// SQL condition on `filings`: none of the row's prerequisites
    /// (`MessageKind.prerequisites`) is still waiting in the outbox. Built
    /// from the model, as the SQLite store builds its own.
    static let notHeldByPrerequisites: String = {
        let awaiting = FilingStatus.allCases.filter(\.isAwaitingDelivery).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let rules = MessageKind.allCases.filter { !$0.prerequisites.isEmpty }.map { kind in
            let kinds = kind.prerequisites.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            return "(filings.kind = '\(kind.rawValue)' AND p.kind IN (\(kinds)))"
        }
        guard !rules.isEmpty else { return "TRUE" }
        return """
            NOT EXISTS (SELECT 1 FROM filings AS p WHERE p.order_no = filings.order_no
                AND p.status IN (\(awaiting)) AND (\(rules.joined(separator: " OR "))))
            """
    }()

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
