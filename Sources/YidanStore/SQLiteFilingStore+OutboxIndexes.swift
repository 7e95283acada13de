import GRDB
import YidanCore

/// Indexes that let the dispatcher's claim read index entries only.
///
/// A filing row held its signed payload (several KB, spilling into overflow
/// pages; moved out by step v8-filing-payloads) before `next_attempt_at`,
/// `created_at` and `lease_until`, so every
/// row the claim query looked at through the old narrow indexes meant walking
/// the payload's overflow chain: a claim over a full outbox read megabytes.
/// `filings_outbox_due` covers the claim and `nextDueTime` (its prefix is the
/// old `filings_outbox_claim`); `filings_by_order_kind_status` covers the
/// prerequisite check (`notHeldByPrerequisites`) and every `order_no` lookup
/// the old `filings_by_order` served.
extension SQLiteFilingStore {
    static func createOutboxIndexes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX filings_outbox_due ON filings(status, next_attempt_at, created_at, kind, order_no, lease_until, id);
            CREATE INDEX filings_by_order_kind_status ON filings(order_no, kind, status);
            DROP INDEX filings_outbox_claim;
            DROP INDEX filings_by_order;
            """)
    }

    /// The claim's row selection: the ids of up to `limit` due `queued`
    /// filings and `sending` ones whose lease ran out, none held by a
    /// prerequisite, oldest due first. `extraCondition` narrows both (an
    /// authority's kinds).
    ///
    /// Two queries, not one `UNION ALL … ORDER BY`: the compound form had to
    /// collect and sort every due row, checking each one's prerequisites, on
    /// every claim (2 ms over a 3,000-filing outbox, a fifth of the dispatch
    /// benchmark's CPU). Each query here walks `filings_outbox_due` in its own
    /// key order and stops after `limit` rows that qualify; the two short
    /// lists are merged in that same order. Ties on time go by kind, so an
    /// order's CEB311 comes before its CEB411 and CEB511.
    static func dueFilingIDs(extraCondition: String = "1", now nowSeconds: Double, limit: Int, _ db: Database) throws -> [String] {
        /// Due rows of one status, by one time column, in claim order.
        func due(_ status: FilingStatus, by timeColumn: String) throws -> [DueRow] {
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, next_attempt_at, created_at, kind, order_no, lease_until FROM filings
                    WHERE status = ? AND \(timeColumn) <= ? AND \(extraCondition) AND \(notHeldByPrerequisites)
                    ORDER BY next_attempt_at, created_at, kind, order_no, lease_until, id LIMIT ?
                    """),
                arguments: [status.rawValue, nowSeconds, limit]
            ).map(DueRow.init(row:))
        }
        let queued = try due(.queued, by: "next_attempt_at")
        let expired = try due(.sending, by: "lease_until")
        guard !expired.isEmpty else { return queued.map(\.id) }
        return (queued + expired).sorted().prefix(limit).map(\.id)
    }

    /// One due row's place in claim order (the index's key order).
    private struct DueRow: Comparable {
        var id: String
        var nextAttemptAt: Double
        var createdAt: Double
        var kind: String
        var orderNo: String
        var leaseUntil: Double

        init(row: Row) {
            id = row["id"]
            nextAttemptAt = row["next_attempt_at"] ?? 0
            createdAt = row["created_at"]
            kind = row["kind"]
            orderNo = row["order_no"]
            leaseUntil = row["lease_until"] ?? 0
        }

        static func < (a: DueRow, b: DueRow) -> Bool {
            (a.nextAttemptAt, a.createdAt, a.kind, a.orderNo, a.leaseUntil, a.id) < (b.nextAttemptAt, b.createdAt, b.kind, b.orderNo, b.leaseUntil, b.id)
        }
    }
}
