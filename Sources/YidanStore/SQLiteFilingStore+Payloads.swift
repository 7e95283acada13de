import Foundation
import GRDB
import YidanCore

/// A filing's payload lives beside its row, in `filing_payloads`.
///
/// The signed message is several KB, more than a page, so inside the `filings`
/// row it took overflow pages; and SQLite writes a changed row whole. Every
/// status move (claim, attempt, receipt) therefore rewrote the payload's
/// overflow chain and freed the old one: about three pages per move, written
/// to the WAL and again at the checkpoint, when the move itself changes a few
/// bytes. Out of the row, the payload is written once, when the filing is
/// stored (and again only by pruning or re-sealing), and a page of `filings`
/// holds a dozen rows, so one claim or group commit touches a page or two.
/// (PostgreSQL keeps large values out of line by itself, TOAST, and an UPDATE
/// that does not set the value does not copy it: its schema keeps the column.)
extension SQLiteFilingStore {
    static func movePayloadsOutOfFilings(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE filing_payloads (
                filing_id TEXT PRIMARY KEY NOT NULL REFERENCES filings(id),
                payload BLOB NOT NULL
            );
            INSERT INTO filing_payloads (filing_id, payload) SELECT id, payload FROM filings ORDER BY rowid;
            ALTER TABLE filings DROP COLUMN payload;
            """)
    }

    /// Stores one filing of `orderNo`, queued and due at `at`: its row, its
    /// payload, its first status in the log and its audit entry.
    static func insertFiling(_ filing: PreparedFiling, orderNo: String, at: Date, _ db: Database) throws {
        let now = StoreColumn.seconds(at)
        try db.cachedStatement(
            sql: """
                INSERT INTO filings (id, order_no, kind, status, idempotency_key, attempts,
                                     next_attempt_at, created_at, updated_at, purpose, supersedes)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                filing.id, orderNo, filing.kind.rawValue, FilingStatus.queued.rawValue,
                filing.idempotencyKey, now, now, now, filing.purpose.rawValue, filing.supersedes,
            ]
        )
        try db.cachedStatement(sql: "INSERT INTO filing_payloads (filing_id, payload) VALUES (?, ?)")
            .execute(arguments: [filing.id, filing.payload])
        try logStored(filingID: filing.id, at: now, db)
        try appendAudit(
            .accepted, orderNo: orderNo, filingID: filing.id, detail: "\(filing.kind.rawValue) \(filing.purpose.rawValue)",
            digest: filing.idempotencyKey, at: at, db
        )
    }

    /// The payloads of `ids`, by filing id.
    static func payloads(of ids: [String], _ db: Database) throws -> [String: Data] {
        guard !ids.isEmpty else { return [:] }
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT filing_id, payload FROM filing_payloads WHERE filing_id IN (\(sqlPlaceholders(ids.count)))"),
            arguments: StatementArguments(ids)
        )
        return Dictionary(rows.map { ($0["filing_id"], $0["payload"]) }, uniquingKeysWith: { first, _ in first })
    }
}
