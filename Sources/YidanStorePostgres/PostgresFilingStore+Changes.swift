public import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

extension PostgresFilingStore {
    /// Adds an order's later filings and moves the buyer's allowance, in one
    /// transaction (see `FilingStore.appendFilings`).
    public func appendFilings(orderNo: String, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await transaction("adding filings to an order") { connection in
            try await Self.lockOrder(orderNo, connection, logger)
            if let delta = allowanceDelta {
                try await Self.adjustAllowance(delta, connection, logger)
            }
            try await Self.insertAppended(filings, orderNo: orderNo, at: at, connection, logger)
        }
    }

    /// An amendment: the order's JSON, its new versions and the allowance change, all or nothing.
    public func amendOrder(orderNo: String, orderJSON: Data, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await transaction("amending an order") { connection in
            try await Self.lockOrder(orderNo, connection, logger)
            if let delta = allowanceDelta, delta.amount != 0 {
                try await Self.adjustAllowance(delta, connection, logger)
            }
            try await connection.query("UPDATE orders SET order_json = \(orderJSON) WHERE order_no = \(orderNo)", logger: logger)
            try await Self.insertAppended(filings, orderNo: orderNo, at: at, connection, logger)
        }
    }

    /// Locks the order's row (two changes to one order run one after the
    /// other), or throws `.notFound`.
    static func lockOrder(_ orderNo: String, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let rows = try await connection.query("SELECT 1 FROM orders WHERE order_no = \(orderNo) FOR UPDATE", logger: logger).collect()
        guard !rows.isEmpty else {
            throw YidanError(.notFound, "no accepted order \(orderNo)")
        }
    }

    /// Each superseded filing must belong to the order.
    static func insertAppended(_ filings: [PreparedFiling], orderNo: String, at: Date, _ connection: PostgresConnection, _ logger: Logger) async throws {
        for filing in filings {
            guard let earlier = filing.supersedes else { continue }
            let owner = try await connection.query("SELECT order_no FROM filings WHERE id = \(earlier)", logger: logger).collect()
            guard try owner.first?.decode(String.self) == orderNo else {
                throw YidanError(.notFound, "filing \(earlier) is not a filing of order \(orderNo)")
            }
        }
        try await insertFilings(filings, orderNo: orderNo, at: at, connection, logger)
    }

    public func receiptPayloads(filingID: String) async throws -> [Data] {
        try await read("reading a filing's receipts") { connection in
            var payloads: [Data] = []
            for try await raw in try await connection.query(
                "SELECT raw FROM receipts WHERE filing_id = \(filingID) ORDER BY id", logger: logger
            ).decode(Data.self) {
                payloads.append(raw)
            }
            return payloads
        }
    }

    public func orderNo(forInvtNo invtNo: String) async throws -> String? {
        try await read("finding an inventory number") { connection in
            let rows = try await connection.query(
                """
                SELECT f.order_no FROM receipts r JOIN filings f ON f.id = r.filing_id
                WHERE r.invt_no = \(invtNo) ORDER BY r.id LIMIT 1
                """,
                logger: logger
            ).collect()
            return try rows.first?.decode(String.self)
        }
    }

    public func entryId(orderNo: String) async throws -> String? {
        try await read("reading an order's declaration number") { connection in
            let rows = try await connection.query(
                """
                SELECT r.entry_id FROM receipts r JOIN filings f ON f.id = r.filing_id
                WHERE f.order_no = \(orderNo) AND r.entry_id IS NOT NULL ORDER BY r.id DESC LIMIT 1
                """,
                logger: logger
            ).collect()
            return try rows.first?.decode(String.self)
        }
    }

    public func recordTaxBill(_ bill: TaxBillRecord) async throws {
        let outcome = try PostgresRows.encodeOutcome(bill)
        try await transaction("storing a tax bill") { connection in
            try await connection.query(
                """
                INSERT INTO tax_bills (guid, tax_no, invt_no, order_no, status, differences, raw, received_at, channel)
                VALUES (\(bill.guid), \(bill.taxNo), \(bill.invtNo), \(bill.orderNo), \(bill.status.rawValue), \(outcome),
                        \(bill.raw), \(bill.receivedAt.timeIntervalSince1970), \(bill.channel))
                """,
                logger: logger
            )
        }
    }

    public func taxBills(orderNo: String) async throws -> [TaxBillRecord] {
        try await read("reading tax bills") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.taxBillColumns) FROM tax_bills WHERE order_no = \(orderNo) ORDER BY id",
                logger: logger
            ).collect().map(PostgresRows.taxBill)
        }
    }

    public func unmatchedTaxBills(limit: Int) async throws -> [TaxBillRecord] {
        guard limit > 0 else { return [] }
        return try await read("reading unmatched tax bills") { connection in
            try await connection.query(
                "SELECT \(unescaped: PostgresRows.taxBillColumns) FROM tax_bills WHERE order_no IS NULL ORDER BY id DESC LIMIT \(limit)",
                logger: logger
            ).collect().map(PostgresRows.taxBill)
        }
    }
}
