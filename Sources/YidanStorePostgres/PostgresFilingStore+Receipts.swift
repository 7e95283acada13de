public import Foundation
import PostgresNIO
public import YidanCore
public import YidanStore

extension PostgresFilingStore {
    /// Stores the receipt and lets `decide` move the filing, in one
    /// transaction, with the filing's row locked (`FOR UPDATE`): two receipts
    /// for one filing — on two workers — never decide from the same status.
    /// Matching, `last_return_*` and lease clearing as in `SQLiteFilingStore`.
    public func applyReceipt(_ receipt: ReceiptRecord, decide: @escaping @Sendable (FilingRecord) -> FilingStatus?) async throws -> ReceiptEffect {
        try await transaction("applying a receipt") { connection in
            let guid = receipt.messageGuid.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            let rows = try await connection.query(
                "SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE id = \(guid) FOR UPDATE", logger: logger
            ).collect()
            guard let filing = try rows.first.map(PostgresRows.filing)?.record else {
                try await Self.insert(receipt, filingID: nil, moved: false, connection, logger)
                return .unmatched
            }
            let receivedAt = receipt.receivedAt.timeIntervalSince1970
            guard let target = decide(filing) else {
                try await Self.insert(receipt, filingID: filing.id, moved: false, connection, logger)
                return .recordedOnly(filingID: filing.id, status: filing.status)
            }
            guard target != filing.status else {
                try await Self.insert(receipt, filingID: filing.id, moved: false, connection, logger)
                try await connection.query(
                    """
                    UPDATE filings SET last_return_status = \(receipt.returnStatus), last_return_info = \(receipt.returnInfo),
                                       updated_at = \(receivedAt)
                    WHERE id = \(filing.id)
                    """,
                    logger: logger
                )
                return .recordedOnly(filingID: filing.id, status: filing.status)
            }
            try await Self.insert(receipt, filingID: filing.id, moved: true, connection, logger)
            try await Self.logMoves(
                [StatusMove(filingID: filing.id, from: filing.status, to: target)], at: receipt.receivedAt,
                returnStatus: receipt.returnStatus, cause: .receipt, connection, logger
            )
            // Leaving the outbox ends delivery: no lease, no next attempt.
            let leavesOutbox = !target.isAwaitingDelivery
            try await connection.query(
                """
                UPDATE filings SET status = \(target.rawValue), last_return_status = \(receipt.returnStatus),
                                   last_return_info = \(receipt.returnInfo), updated_at = \(receivedAt),
                                   lease_until = CASE WHEN \(leavesOutbox) THEN NULL ELSE lease_until END,
                                   lease_owner = CASE WHEN \(leavesOutbox) THEN NULL ELSE lease_owner END,
                                   next_attempt_at = CASE WHEN \(leavesOutbox) THEN NULL ELSE next_attempt_at END
                WHERE id = \(filing.id)
                """,
                logger: logger
            )
            return .advanced(filingID: filing.id, from: filing.status, to: target)
        }
    }

    private static func insert(
        _ receipt: ReceiptRecord, filingID: String?, moved: Bool, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let orderNo: String?
        if let filingID {
            orderNo = try await connection.query("SELECT order_no FROM filings WHERE id = \(filingID)", logger: logger)
                .collect().first?.decode(String.self)
        } else {
            orderNo = nil
        }
        try await appendAudit(
            .received, orderNo: orderNo, filingID: filingID,
            detail: "\(receipt.kind.rawValue) \(receipt.returnStatus) via \(receipt.channel)\(filingID == nil ? " (unmatched)" : "")",
            digest: AuditEntry.digest(receipt.raw), at: receipt.receivedAt, connection, logger
        )
        try await connection.query(
            """
            INSERT INTO receipts (filing_id, kind, message_guid, business_no, return_status, return_info,
                                  return_time, raw, received_at, channel, moved, invt_no, entry_id)
            VALUES (\(filingID), \(receipt.kind.rawValue), \(receipt.messageGuid), \(receipt.businessNo), \(receipt.returnStatus),
                    \(receipt.returnInfo), \(receipt.returnTime), \(receipt.raw), \(receipt.receivedAt.timeIntervalSince1970),
                    \(receipt.channel), \(moved), \(receipt.invtNo), \(receipt.entryId))
            """,
            logger: logger
        )
    }

    // MARK: - Queries

    public func filing(id: String) async throws -> FilingRecord? {
        try await read("reading a filing") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE id = \(id)", logger: logger
            ).collect().first.map { try PostgresRows.filing($0).record }
        }
    }

    /// The order's filings in the order they were accepted.
    public func filings(orderNo: String) async throws -> [FilingRecord] {
        try await read("reading an order's filings") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE order_no = \(orderNo) ORDER BY seq",
                logger: logger
            ).collect().map { try PostgresRows.filing($0).record }
        }
    }

    /// Filings with that status (all when nil), newest first.
    public func filings(status: FilingStatus?, limit: Int) async throws -> [FilingRecord] {
        guard limit > 0 else { return [] }
        return try await read("listing filings") { connection in
            let rows: [PostgresRow]
            if let status {
                rows = try await connection.query(
                    """
                    SELECT \(unescaped: PostgresRows.filingColumns) FROM filings WHERE status = \(status.rawValue)
                    ORDER BY created_at DESC, seq DESC LIMIT \(limit)
                    """,
                    logger: logger
                ).collect()
            } else {
                rows = try await connection.query(
                    "SELECT \(unescaped: PostgresRows.filingColumns) FROM filings ORDER BY created_at DESC, seq DESC LIMIT \(limit)",
                    logger: logger
                ).collect()
            }
            return try rows.map { try PostgresRows.filing($0).record }
        }
    }

    public func attempts(filingID: String) async throws -> [AttemptRecord] {
        try await read("reading attempts") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.attemptColumns) FROM attempts WHERE filing_id = \(filingID) ORDER BY id",
                logger: logger
            ).collect().map(PostgresRows.attempt)
        }
    }

    public func receipts(filingID: String) async throws -> [StoredReceipt] {
        try await read("reading receipts") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.receiptColumns) FROM receipts WHERE filing_id = \(filingID) ORDER BY id",
                logger: logger
            ).collect().map(PostgresRows.receipt)
        }
    }

    public func unmatchedReceipts(limit: Int) async throws -> [StoredReceipt] {
        guard limit > 0 else { return [] }
        return try await read("reading unmatched receipts") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.receiptColumns) FROM receipts WHERE filing_id IS NULL ORDER BY id DESC LIMIT \(limit)",
                logger: logger
            ).collect().map(PostgresRows.receipt)
        }
    }

    public func orderJSON(orderNo: String) async throws -> Data? {
        try await read("reading an order") { connection in
            try await connection.query("SELECT order_json FROM orders WHERE order_no = \(orderNo) AND pruned_at IS NULL", logger: logger)
                .collect().first?.decode(Data.self)
        }
    }

    /// Statuses with no filings are absent from the result.
    public func statusCounts() async throws -> [FilingStatus: Int] {
        try await read("counting filings") { connection in
            var counts: [FilingStatus: Int] = [:]
            for try await (text, count) in try await connection.query(
                "SELECT status, COUNT(*) FROM filings GROUP BY status", logger: logger
            ).decode((String, Int).self) {
                guard let status = FilingStatus(rawValue: text) else {
                    throw YidanError(.store, "unknown filing status '\(text)' in the store")
                }
                counts[status] = count
            }
            return counts
        }
    }
}
