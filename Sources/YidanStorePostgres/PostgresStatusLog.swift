import Foundation
import PostgresNIO
import YidanCore
import YidanStore

/// One status move to log.
struct StatusMove: Sendable {
    var filingID: String
    var from: FilingStatus?
    var to: FilingStatus
}

extension PostgresFilingStore {
    /// The advisory lock that orders the status log ("ydn3").
    static let statusLogLockKey: Int64 = 0x7964_6E33

    /// Logs moves inside the caller's transaction, in commit order.
    ///
    /// Identity values are drawn at insert, not at commit, so two concurrent
    /// writers could commit ids 6 then 5 and a reader that saw 6 would never
    /// see 5. Taking a transaction-scoped advisory lock before drawing the id
    /// serialises writers from here to their commit: ids grow in commit order.
    /// Callers log last, after taking every row lock they need, so a writer
    /// holding this lock never waits on a row (no lock cycle).
    static func logMoves(
        _ moves: [StatusMove], at: Date, returnStatus: String? = nil, cause: StatusChangeCause,
        _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let moves = moves.filter { $0.from != $0.to }
        guard !moves.isEmpty else { return }
        try await connection.query("SELECT pg_advisory_xact_lock(\(statusLogLockKey))", logger: logger)
        for move in moves {
            try await connection.query(
                """
                INSERT INTO status_changes (filing_id, order_no, kind, from_status, to_status, at, return_status, cause)
                SELECT id, order_no, kind, \(move.from?.rawValue), \(move.to.rawValue), \(at.timeIntervalSince1970),
                       \(returnStatus), \(cause.rawValue)
                FROM filings WHERE id = \(move.filingID)
                """,
                logger: logger
            )
        }
    }
}
