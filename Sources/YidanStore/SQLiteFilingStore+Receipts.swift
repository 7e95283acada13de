public import Foundation
import GRDB
public import YidanCore

extension SQLiteFilingStore {
    /// Stores the receipt and lets `decide` (the pure lifecycle) move the
    /// filing, in one transaction, so two receipts for the same filing never
    /// decide from the same stale status.
    ///
    /// Matching is by the guid the receipt names; our guids are upper-case, so
    /// the receipt's is upper-cased (and trimmed) before the lookup.
    ///
    /// `last_return_status`/`last_return_info` reflect the latest receipt that
    /// moved the filing or agreed with its current status (`decide` returned
    /// that status). A receipt `decide` ignores (nil: late or out of order) is
    /// kept in history only and does not touch them.
    ///
    /// Moving a filing out of the outbox (any status other than queued or
    /// sending) clears its lease and next attempt time, so a receipt that
    /// overtakes a slow HTTP response or a scheduled retry ends delivery.
    ///
    /// Group-committed (`GroupCommit.swift`): receipts arriving together (an
    /// authority answers many filings at once) share one transaction and one
    /// fsync, each in its own savepoint, in arrival order.
    public func applyReceipt(
        _ receipt: ReceiptRecord, decide: @escaping @Sendable (FilingRecord) -> FilingStatus?
    ) async throws -> ReceiptEffect {
        try await receiptQueue.submit(ReceiptApplication(receipt: receipt, decide: decide))
    }

    /// One receipt inside a group commit's transaction.
    static func applyReceipt(_ application: ReceiptApplication, _ db: Database) throws -> ReceiptEffect {
            let receipt = application.receipt
            let decide = application.decide
            let guid = receipt.messageGuid.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            guard let filing = try Self.filing(id: guid, db) else {
                try Self.insert(receipt, filingID: nil, moved: false, db)
                return .unmatched
            }
            let target = decide(filing)
            let receivedAt = StoreColumn.seconds(receipt.receivedAt)
            guard let target else {
                try Self.insert(receipt, filingID: filing.id, moved: false, db)
                return .recordedOnly(filingID: filing.id, status: filing.status)
            }
            guard target != filing.status else {
                try Self.insert(receipt, filingID: filing.id, moved: false, db)
                try db.cachedStatement(sql: "UPDATE filings SET last_return_status = ?, last_return_info = ?, updated_at = ? WHERE id = ?")
                    .execute(arguments: [receipt.returnStatus, receipt.returnInfo, receivedAt, filing.id])
                return .recordedOnly(filingID: filing.id, status: filing.status)
            }
            try Self.insert(receipt, filingID: filing.id, moved: true, db)
            try Self.logMove(
                filingID: filing.id, to: target, at: receivedAt, returnStatus: receipt.returnStatus, cause: .receipt, db
            )
            if target.isAwaitingDelivery {
                try db.cachedStatement(sql: """
                        UPDATE filings SET status = ?, last_return_status = ?, last_return_info = ?, updated_at = ?
                        WHERE id = ?
                        """).execute(arguments: [target.rawValue, receipt.returnStatus, receipt.returnInfo, receivedAt, filing.id])
            } else {
                try db.cachedStatement(sql: """
                        UPDATE filings SET status = ?, last_return_status = ?, last_return_info = ?, updated_at = ?,
                                           lease_until = NULL, next_attempt_at = NULL
                        WHERE id = ?
                        """).execute(arguments: [target.rawValue, receipt.returnStatus, receipt.returnInfo, receivedAt, filing.id])
            }
            return .advanced(filingID: filing.id, from: filing.status, to: target)
    }

    private static func insert(_ receipt: ReceiptRecord, filingID: String?, moved: Bool, _ db: Database) throws {
        let orderNo = try filingID.flatMap {
            try String.fetchOne(db.cachedStatement(sql: "SELECT order_no FROM filings WHERE id = ?"), arguments: [$0])
        }
        try appendAudit(
            .received, orderNo: orderNo, filingID: filingID,
            detail: "\(receipt.kind.rawValue) \(receipt.returnStatus) via \(receipt.channel)\(filingID == nil ? " (unmatched)" : "")",
            digest: AuditEntry.digest(receipt.raw), at: receipt.receivedAt, db
        )
        try db.cachedStatement(sql: """
                INSERT INTO receipts (filing_id, kind, message_guid, business_no, return_status, return_info,
                                      return_time, raw, received_at, channel, moved, invt_no, entry_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                filingID, receipt.kind.rawValue, receipt.messageGuid, receipt.businessNo, receipt.returnStatus,
                receipt.returnInfo, receipt.returnTime, receipt.raw, StoreColumn.seconds(receipt.receivedAt),
                receipt.channel, moved, receipt.invtNo, receipt.entryId,
            ])
    }

    // MARK: - Queries

    public func filing(id: String) async throws -> FilingRecord? {
        try await read("reading a filing") { db in try Self.filing(id: id, db) }
    }

    /// The order's filings in the order they were accepted.
    public func filings(orderNo: String) async throws -> [FilingRecord] {
        try await read("reading an order's filings") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(filingColumns) FROM \(filingsWithPayloads) WHERE order_no = ? ORDER BY filings.rowid", arguments: [orderNo]
            ).map(FilingRecord.init(row:))
        }
    }

    /// Filings with that status (all when nil), newest first.
    public func filings(status: FilingStatus?, limit: Int) async throws -> [FilingRecord] {
        guard limit > 0 else { return [] }
        return try await read("listing filings") { db in
            let rows: [Row]
            if let status {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(filingColumns) FROM \(filingsWithPayloads) WHERE status = ? ORDER BY created_at DESC, filings.rowid DESC LIMIT ?",
                    arguments: [status.rawValue, limit]
                )
            } else {
                rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(filingColumns) FROM \(filingsWithPayloads) ORDER BY created_at DESC, filings.rowid DESC LIMIT ?",
                    arguments: [limit]
                )
            }
            return try rows.map(FilingRecord.init(row:))
        }
    }

    /// The filing's attempts, first to last.
    public func attempts(filingID: String) async throws -> [AttemptRecord] {
        try await read("reading attempts") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(attemptColumns) FROM attempts WHERE filing_id = ? ORDER BY id", arguments: [filingID]
            ).map(AttemptRecord.init(row:))
        }
    }

    /// The filing's receipts in the order they arrived.
    public func receipts(filingID: String) async throws -> [StoredReceipt] {
        try await read("reading receipts") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(receiptColumns) FROM receipts WHERE filing_id = ? ORDER BY id", arguments: [filingID]
            ).map(StoredReceipt.init(row:))
        }
    }

    /// Receipts that matched no filing, newest first.
    public func unmatchedReceipts(limit: Int) async throws -> [StoredReceipt] {
        guard limit > 0 else { return [] }
        return try await read("reading unmatched receipts") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(receiptColumns) FROM receipts WHERE filing_id IS NULL ORDER BY id DESC LIMIT ?",
                arguments: [limit]
            ).map(StoredReceipt.init(row:))
        }
    }

    public func orderJSON(orderNo: String) async throws -> Data? {
        try await read("reading an order") { db in
            try Data.fetchOne(db, sql: "SELECT order_json FROM orders WHERE order_no = ? AND pruned_at IS NULL", arguments: [orderNo])
        }
    }

    /// Statuses with no filings are absent from the result.
    public func statusCounts() async throws -> [FilingStatus: Int] {
        try await read("counting filings") { db in
            var counts: [FilingStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM filings GROUP BY status") {
                let text = try row.decode(String.self, forColumn: "status")
                guard let status = FilingStatus(rawValue: text) else {
                    throw YidanError(.store, "unknown filing status '\(text)' in the store")
                }
                counts[status] = try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }
}
