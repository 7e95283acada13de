public import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

extension PostgresFilingStore: RetentionStore {
    /// The tables whose bytes retention removes, vacuumed afterwards.
    static let prunedTables = ["orders", "filings", "receipts", "tax_bills"]

    /// Empties the payloads of finished orders untouched since `cutoff`, as
    /// `SQLiteFilingStore.prune` does, in one transaction; rows, statuses and
    /// the audit trail's digests stay.
    public func prune(finishedBefore cutoff: Date, now: Date) async throws -> PruneReport {
        let before = try await storeBytes()
        let cutoffSeconds = cutoff.timeIntervalSince1970
        let nowSeconds = now.timeIntervalSince1970
        let counts = try await transaction("pruning payloads past retention") { connection -> (Int, Int, Int) in
            // Locked, so a receipt or amendment arriving meanwhile waits for the prune (or finds the order pruned).
            var orderNos: [String] = []
            for try await orderNo in try await connection.query(
                """
                SELECT o.order_no FROM orders AS o
                WHERE o.pruned_at IS NULL AND o.accepted_at < \(cutoffSeconds)
                  AND EXISTS (SELECT 1 FROM filings AS f WHERE f.order_no = o.order_no)
                  AND NOT EXISTS (
                      SELECT 1 FROM filings AS f WHERE f.order_no = o.order_no
                      AND (f.updated_at >= \(cutoffSeconds) OR NOT \(unescaped: Self.isFinal)))
                ORDER BY o.order_no
                FOR UPDATE OF o
                """,
                logger: logger
            ).decode(String.self) {
                orderNos.append(orderNo)
            }
            guard !orderNos.isEmpty else { return (0, 0, 0) }
            let receipts = try await Self.count(
                connection.query(
                    """
                    UPDATE receipts SET raw = '\\x'::bytea
                    WHERE filing_id IN (SELECT id FROM filings WHERE order_no = ANY(\(orderNos))) RETURNING 1
                    """,
                    logger: logger
                )
            )
            try await connection.query("UPDATE tax_bills SET raw = '\\x'::bytea WHERE order_no = ANY(\(orderNos))", logger: logger)
            let filings = try await Self.count(
                connection.query("UPDATE filings SET payload = '\\x'::bytea WHERE order_no = ANY(\(orderNos)) RETURNING 1", logger: logger)
            )
            try await connection.query(
                "UPDATE orders SET order_json = '\\x'::bytea, pruned_at = \(nowSeconds) WHERE order_no = ANY(\(orderNos))",
                logger: logger
            )
            return (orderNos.count, filings, receipts)
        }
        if counts.0 > 0 {
            try await vacuum()
        }
        return PruneReport(orders: counts.0, filings: counts.1, receipts: counts.2, bytesBefore: before, bytesAfter: try await storeBytes())
    }

    /// Whether an order's payloads were pruned (its JSON is gone).
    public func isPruned(orderNo: String) async throws -> Bool {
        try await read("reading an order") { connection in
            try await connection.query("SELECT pruned_at IS NOT NULL FROM orders WHERE order_no = \(orderNo)", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
        }
    }

    /// Plain `VACUUM` (it cannot run inside a transaction, so each table is
    /// its own statement). What PostgreSQL gives back: the old row versions
    /// and their TOAST chunks — where payloads of a few kB and up live — are
    /// removed and their space is free for new rows in the same tables at
    /// once; empty pages at the END of a table or its TOAST table are cut off
    /// and returned to the file system. Space in the middle stays with the
    /// table (reused, not returned): only `VACUUM FULL` would rewrite the
    /// tables, and it locks out every worker while it runs, so yidan leaves
    /// that to an operator's maintenance window.
    func vacuum() async throws {
        try await read("reclaiming space after pruning") { connection in
            for table in Self.prunedTables {
                // Table names are constants of this file: safe to splice.
                try await connection.query(PostgresQuery(unsafeSQL: "VACUUM \(table)"), logger: logger)
            }
        }
    }

    /// Bytes on disk of the pruned tables with their TOAST tables and indexes.
    func storeBytes() async throws -> Int64 {
        try await read("measuring the store") { connection in
            var total: Int64 = 0
            for table in Self.prunedTables {
                let bytes = try await connection.query("SELECT pg_total_relation_size(\(table)::regclass)", logger: logger)
                    .collect().first?.decode(Int64.self) ?? 0
                total += bytes
            }
            return total
        }
    }

    private static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}
