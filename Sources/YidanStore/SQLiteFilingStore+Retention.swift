public import Foundation
import GRDB
import YidanCore

/// What `prune` removed.
public struct PruneReport: Sendable, Equatable {
    /// Orders whose payloads were removed.
    public var orders: Int
    public var filings: Int
    public var receipts: Int
    /// Store size (database + WAL) before and after, in bytes.
    public var bytesBefore: Int64
    public var bytesAfter: Int64

    public init(orders: Int, filings: Int, receipts: Int, bytesBefore: Int64, bytesAfter: Int64) {
        self.orders = orders
        self.filings = filings
        self.receipts = receipts
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
    }
}

/// Retention: message bytes are kept only as long as the law asks. After
/// that, the rows stay (statuses, receipt codes, times) and the audit
/// trail keeps the digest of every byte sent and received, but the bytes
/// themselves — which hold personal data — are gone.
public protocol RetentionStore: Sendable {
    /// Removes the order JSON, filing payloads, receipt and tax bill bytes of
    /// every order whose filings are all final and untouched since `cutoff`,
    /// then gives the space back to the file system.
    func prune(finishedBefore cutoff: Date, now: Date) async throws -> PruneReport
}

extension SQLiteFilingStore: RetentionStore {
    public func prune(finishedBefore cutoff: Date, now: Date) async throws -> PruneReport {
        let before = storeBytes()
        let cutoffSeconds = StoreColumn.seconds(cutoff)
        let nowSeconds = StoreColumn.seconds(now)
        let counts = try await write("pruning payloads past retention") { db -> (Int, Int, Int) in
            // Orders with at least one filing, none of them unfinished or recently touched.
            let orderNos = try String.fetchAll(
                db,
                sql: """
                    SELECT o.order_no FROM orders AS o
                    WHERE o.pruned_at IS NULL AND o.accepted_at < ?
                      AND EXISTS (SELECT 1 FROM filings AS f WHERE f.order_no = o.order_no)
                      AND NOT EXISTS (
                          SELECT 1 FROM filings AS f WHERE f.order_no = o.order_no
                          AND (f.updated_at >= ? OR NOT \(Self.isFinal)))
                    """,
                arguments: [cutoffSeconds, cutoffSeconds]
            )
            var filings = 0
            var receipts = 0
            for orderNo in orderNos {
                try db.execute(
                    sql: "UPDATE receipts SET raw = X'' WHERE filing_id IN (SELECT id FROM filings WHERE order_no = ?)",
                    arguments: [orderNo]
                )
                receipts += db.changesCount
                try db.execute(sql: "UPDATE tax_bills SET raw = X'' WHERE order_no = ?", arguments: [orderNo])
                try db.execute(
                    sql: "UPDATE filing_payloads SET payload = X'' WHERE filing_id IN (SELECT id FROM filings WHERE order_no = ?)",
                    arguments: [orderNo]
                )
                filings += db.changesCount
                try db.execute(
                    sql: "UPDATE orders SET order_json = X'', pruned_at = ? WHERE order_no = ?", arguments: [nowSeconds, orderNo]
                )
            }
            return (orderNos.count, filings, receipts)
        }
        // Freed pages go back to the file system only by rewriting the file.
        do {
            try await pool.barrierWriteWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                // VACUUM copies the whole store into a temporary database: on
                // disk, not in memory as the writer's other temporaries are.
                try db.execute(sql: "PRAGMA temp_store = FILE")
                defer { try? db.execute(sql: "PRAGMA temp_store = MEMORY") }
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw Self.storeError(error, "compacting the store after pruning")
        }
        return PruneReport(orders: counts.0, filings: counts.1, receipts: counts.2, bytesBefore: before, bytesAfter: storeBytes())
    }

    /// Whether an order's payloads were pruned (its JSON is gone).
    public func isPruned(orderNo: String) async throws -> Bool {
        try await read("reading an order") { db in
            try Bool.fetchOne(db, sql: "SELECT pruned_at IS NOT NULL FROM orders WHERE order_no = ?", arguments: [orderNo]) ?? false
        }
    }

    func storeBytes() -> Int64 {
        [path, path + "-wal"].reduce(Int64(0)) { total, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
            return total + size
        }
    }

    /// Registered from `StoreMigrations` as step `v5-retention`.
    static func addRetentionColumns(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE orders ADD COLUMN pruned_at REAL")
    }
}
