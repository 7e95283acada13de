import Foundation
import GRDB
import YidanCore

/// The audit trail's reading side; writing happens inside the store's own
/// transactions (accept, completeAttempt, applyReceipt), so an entry exists
/// exactly when the change it records was committed.
public protocol AuditStore: Sendable {
    /// Entries in sequence order, from `after` (exclusive), at most `limit`.
    func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry]
    /// The entries naming one order or its filings, in sequence order.
    func auditEntries(orderNo: String) async throws -> [AuditEntry]
}

extension SQLiteFilingStore: AuditStore {
    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("reading the audit trail") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_trail WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, limit]
            ).map(Self.auditEntry)
        }
    }

    public func auditEntries(orderNo: String) async throws -> [AuditEntry] {
        try await read("reading the audit trail") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_trail WHERE order_no = ? ORDER BY seq", arguments: [orderNo]
            ).map(Self.auditEntry)
        }
    }

    /// Appends one entry after the current last one. Runs inside the caller's
    /// write transaction: SQLite has one writer at a time, so the chain's
    /// order is the commit order.
    static func appendAudit(
        _ event: AuditEntry.Event, orderNo: String?, filingID: String?, detail: String, digest: String, at: Date, _ db: Database
    ) throws {
        // Cached: every accepted filing, delivery and receipt appends one entry.
        let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1"))
        let sequence: Int64 = (last?["seq"] as Int64? ?? 0) + 1
        let previous: String = last?["hash"] ?? AuditEntry.genesis
        let micros = Int64((at.timeIntervalSince1970 * 1_000_000).rounded())
        let hash = AuditEntry.chainHash(
            sequence: sequence, atMicroseconds: micros, event: event, orderNo: orderNo, filingID: filingID, detail: detail,
            digest: digest, previousHash: previous
        )
        try db.cachedStatement(sql: """
                INSERT INTO audit_trail (seq, at_us, event, order_no, filing_id, detail, digest, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [sequence, micros, event.rawValue, orderNo, filingID, detail, digest, previous, hash])
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        let eventText: String = row["event"]
        guard let event = AuditEntry.Event(rawValue: eventText) else {
            throw YidanError(.store, "audit entry \(row["seq"] as Int64? ?? 0) has an unknown event '\(eventText)'")
        }
        return AuditEntry(
            sequence: row["seq"], atMicroseconds: row["at_us"], event: event, orderNo: row["order_no"],
            filingID: row["filing_id"], detail: row["detail"], digest: row["digest"], previousHash: row["prev_hash"],
            hash: row["hash"]
        )
    }

    /// The audit trail's table: `seq` is the chain position (no AUTOINCREMENT
    /// gaps: the next is last + 1 in the same transaction). Registered from
    /// `StoreMigrations` as step `v5-audit-trail`.
    static func createAuditTrail(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE audit_trail (
                seq INTEGER PRIMARY KEY,
                at_us INTEGER NOT NULL,
                event TEXT NOT NULL,
                order_no TEXT,
                filing_id TEXT,
                detail TEXT NOT NULL,
                digest TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX audit_trail_by_order ON audit_trail(order_no, seq);
            """)
    }
}
