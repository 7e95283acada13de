public import Foundation
import GRDB
import YidanCore

extension SQLiteFilingStore {
    /// Adds an order's later filings (amend, cancel, return, reversals) and
    /// moves the buyer's allowance, in one transaction: a return that files
    /// its CEB625 but not its allowance credit (or the reverse) cannot happen.
    public func appendFilings(
        orderNo: String, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date
    ) async throws {
        try await write("adding filings to an order") { db in
            let known = try Int.fetchOne(db, sql: "SELECT 1 FROM orders WHERE order_no = ?", arguments: [orderNo])
            guard known != nil else {
                throw YidanError(.notFound, "no accepted order \(orderNo)")
            }
            if let delta = allowanceDelta {
                try Self.adjustAllowance(delta, db)
            }
            try Self.insertAppended(filings, orderNo: orderNo, at: at, db)
        }
    }

    /// The rows of `appendFilings` (and of an amendment, `SQLiteFilingStore+Amend.swift`):
    /// queued and due at `at`, each superseded filing checked to belong to the order.
    static func insertAppended(_ filings: [PreparedFiling], orderNo: String, at: Date, _ db: Database) throws {
        for filing in filings {
            if let earlier = filing.supersedes {
                let owner = try String.fetchOne(db, sql: "SELECT order_no FROM filings WHERE id = ?", arguments: [earlier])
                guard owner == orderNo else {
                    throw YidanError(.notFound, "filing \(earlier) is not a filing of order \(orderNo)")
                }
            }
            try insertFiling(filing, orderNo: orderNo, at: at, db)
        }
    }

    public func receiptPayloads(filingID: String) async throws -> [Data] {
        try await read("reading a filing's receipts") { db in
            try Data.fetchAll(db, sql: "SELECT raw FROM receipts WHERE filing_id = ? ORDER BY id", arguments: [filingID])
        }
    }

    /// Moves the buyer's annual total by `delta.amount`: a positive amount is
    /// checked against the limit (an amendment that raises the order), a
    /// negative one restores the total (a return), never below zero. Errors
    /// state amounts only.
    static func adjustAllowance(_ delta: AllowanceUse, _ db: Database) throws {
        let text = try String.fetchOne(
            db, sql: "SELECT used FROM buyer_allowance WHERE buyer_key = ? AND year = ?",
            arguments: [delta.buyerKey, delta.year]
        )
        let used = try text.map { try StoreColumn.decimal($0, column: "allowance") } ?? 0
        var total = used + delta.amount
        if delta.amount > 0, total > delta.limit {
            throw YidanError(
                .notEligible,
                "annual allowance for \(delta.year) exceeded: already used \(StoreColumn.text(used)) + change "
                    + "\(StoreColumn.text(delta.amount)) = \(StoreColumn.text(total)) > limit \(StoreColumn.text(delta.limit))"
            )
        }
        if total < 0 { total = 0 }
        try db.execute(
            sql: """
                INSERT INTO buyer_allowance (buyer_key, year, used) VALUES (?, ?, ?)
                ON CONFLICT (buyer_key, year) DO UPDATE SET used = excluded.used
                """,
            arguments: [delta.buyerKey, delta.year, StoreColumn.text(total)]
        )
    }
}
