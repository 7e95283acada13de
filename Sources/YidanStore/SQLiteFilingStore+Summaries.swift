import GRDB
import YidanCore

extension SQLiteFilingStore {
    /// The latest `entryId` a CEB792 summary result brought for one of the order's filings.
    public func entryId(orderNo: String) async throws -> String? {
        try await read("reading an order's declaration number") { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT r.entry_id FROM receipts r JOIN filings f ON f.id = r.filing_id
                    WHERE f.order_no = ? AND r.entry_id IS NOT NULL ORDER BY r.id DESC LIMIT 1
                    """,
                arguments: [orderNo]
            )
        }
    }
}
