import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

extension PostgresFilingStore: AuditStore {
    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read("reading the audit trail") { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.auditColumns) FROM audit_trail WHERE seq > \(after) ORDER BY seq LIMIT \(limit)",
                logger: logger
            ).collect().map(Self.auditEntry)
        }
    }

    public func auditEntries(orderNo: String) async throws -> [AuditEntry] {
        try await read("reading the audit trail") { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.auditColumns) FROM audit_trail WHERE order_no = \(orderNo) ORDER BY seq", logger: logger
            ).collect().map(Self.auditEntry)
        }
    }

    /// Appends one entry after the last committed one, inside the caller's transaction.
    ///
    /// Many workers write at once, so "last + 1" is only right if no other
    /// writer can draw the same number or commit out of order. The entry takes
    /// the status log's transaction-scoped advisory lock (`logMoves`; taking it
    /// twice in one transaction is a no-op) and holds it to commit: the
    /// chain's order is the commit order, and a reader never sees entry 6
    /// before entry 5 exists. One lock for both logs, not two, so no two
    /// writers can take them in opposite orders. Callers append after taking
    /// every row lock they need, as for `logMoves`.
    static func appendAudit(
        _ event: AuditEntry.Event, orderNo: String?, filingID: String?, detail: String, digest: String, at: Date,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(statusLogLockKey))", logger: logger)
        let last = try await connection.query("SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1", logger: logger)
            .collect().first?.decode((Int64, String).self)
        let sequence = (last?.0 ?? 0) + 1
        let previous = last?.1 ?? AuditEntry.genesis
        let micros = Int64((at.timeIntervalSince1970 * 1_000_000).rounded())
        let hash = AuditEntry.chainHash(
            sequence: sequence, atMicroseconds: micros, event: event, orderNo: orderNo, filingID: filingID, detail: detail,
            digest: digest, previousHash: previous
        )
        try await connection.query(
            """
            INSERT INTO audit_trail (seq, at_us, event, order_no, filing_id, detail, digest, prev_hash, hash)
            VALUES (\(sequence), \(micros), \(event.rawValue), \(orderNo), \(filingID), \(detail), \(digest), \(previous), \(hash))
            """,
            logger: logger
        )
    }

    /// One `accepted` entry per stored filing (digest = its idempotency key), as the SQLite store writes.
    static func auditAccepted(
        _ filings: [PreparedFiling], orderNo: String, at: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        for filing in filings {
            try await appendAudit(
                .accepted, orderNo: orderNo, filingID: filing.id, detail: "\(filing.kind.rawValue) \(filing.purpose.rawValue)",
                digest: filing.idempotencyKey, at: at, connection, logger
            )
        }
    }

    static let auditColumns = "seq, at_us, event, order_no, filing_id, detail, digest, prev_hash, hash"

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let (sequence, micros, eventText, orderNo, filingID, detail, digest, previous, hash) = try row.decode(
            (Int64, Int64, String, String?, String?, String, String, String, String).self
        )
        guard let event = AuditEntry.Event(rawValue: eventText) else {
            throw YidanError(.store, "audit entry \(sequence) has an unknown event '\(eventText)'")
        }
        return AuditEntry(
            sequence: sequence, atMicroseconds: micros, event: event, orderNo: orderNo, filingID: filingID, detail: detail,
            digest: digest, previousHash: previous, hash: hash
        )
    }
}
