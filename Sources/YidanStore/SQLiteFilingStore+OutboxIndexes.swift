import GRDB

/// Indexes that let the dispatcher's claim read index entries only.
///
/// A filing row holds its signed payload (several KB, spilling into overflow
/// pages) before `next_attempt_at`, `created_at` and `lease_until`, so every
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

    /// The claim's row selection: due `queued` filings and `sending` ones whose
    /// lease ran out, none held by a prerequisite, oldest due first. Two
    /// branches (not one `OR`) so each is a covering index range.
    /// `extraCondition` narrows both (an authority's kinds); arguments: queued,
    /// now, sending, now, limit.
    static func dueFilingIDsSQL(extraCondition: String = "1") -> String {
        """
        SELECT id FROM (
            SELECT id, next_attempt_at, created_at, rowid AS r FROM filings
            WHERE status = ? AND next_attempt_at <= ? AND \(extraCondition) AND \(notHeldByPrerequisites)
            UNION ALL
            SELECT id, next_attempt_at, created_at, rowid AS r FROM filings
            WHERE status = ? AND lease_until <= ? AND \(extraCondition) AND \(notHeldByPrerequisites)
        )
        ORDER BY next_attempt_at, created_at, r
        LIMIT ?
        """
    }
}
