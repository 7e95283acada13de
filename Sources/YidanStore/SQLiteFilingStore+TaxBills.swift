import Foundation
import GRDB
import YidanCore

extension SQLiteFilingStore {
    /// The order of the filing whose CEB622 receipt carried `invtNo`.
    public func orderNo(forInvtNo invtNo: String) async throws -> String? {
        try await read("finding an inventory number") { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT f.order_no FROM receipts r JOIN filings f ON f.id = r.filing_id
                    WHERE r.invt_no = ? ORDER BY r.id LIMIT 1
                    """,
                arguments: [invtNo]
            )
        }
    }

    public func recordTaxBill(_ bill: TaxBillRecord) async throws {
        let outcome = try TaxBillOutcome.encode(bill)
        try await write("storing a tax bill") { db in
            try db.execute(
                sql: """
                    INSERT INTO tax_bills (guid, tax_no, invt_no, order_no, status, differences, raw, received_at, channel)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    bill.guid, bill.taxNo, bill.invtNo, bill.orderNo, bill.status.rawValue, outcome, bill.raw,
                    StoreColumn.seconds(bill.receivedAt), bill.channel,
                ]
            )
        }
    }

    public func taxBills(orderNo: String) async throws -> [TaxBillRecord] {
        try await read("reading tax bills") { db in
            try Row.fetchAll(db, sql: "SELECT \(taxBillColumns) FROM tax_bills WHERE order_no = ? ORDER BY id", arguments: [orderNo])
                .map(TaxBillRecord.init(row:))
        }
    }

    public func unmatchedTaxBills(limit: Int) async throws -> [TaxBillRecord] {
        guard limit > 0 else { return [] }
        return try await read("reading unmatched tax bills") { db in
            try Row.fetchAll(
                db, sql: "SELECT \(taxBillColumns) FROM tax_bills WHERE order_no IS NULL ORDER BY id DESC LIMIT ?", arguments: [limit]
            ).map(TaxBillRecord.init(row:))
        }
    }
}

let taxBillColumns = "id, guid, tax_no, invt_no, order_no, status, differences, raw, received_at, channel"

/// The `differences` column: the reconciliation's differences and, for an
/// unchecked bill, why — as JSON text.
struct TaxBillOutcome: Codable {
    var differences: [TaxBillRecord.Difference]
    var note: String?

    static func encode(_ bill: TaxBillRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(TaxBillOutcome(differences: bill.differences, note: bill.note))
        return String(decoding: data, as: UTF8.self)
    }
}

extension TaxBillRecord {
    init(row: Row) throws {
        let statusText = try row.decode(String.self, forColumn: "status")
        guard let status = Status(rawValue: statusText) else {
            throw YidanError(.store, "unknown tax bill status '\(statusText)' in the store")
        }
        let outcomeText = try row.decode(String.self, forColumn: "differences")
        let outcome: TaxBillOutcome
        do {
            outcome = try JSONDecoder().decode(TaxBillOutcome.self, from: Data(outcomeText.utf8))
        } catch {
            throw YidanError(.store, "unreadable tax bill differences in the store", cause: error)
        }
        self.init(
            id: try row.decode(Int64.self, forColumn: "id"),
            guid: try row.decode(String.self, forColumn: "guid"),
            taxNo: try row.decode(String.self, forColumn: "tax_no"),
            invtNo: try row.decode(String.self, forColumn: "invt_no"),
            orderNo: try row.decode(forColumn: "order_no"),
            status: status,
            differences: outcome.differences,
            note: outcome.note,
            raw: try row.decode(Data.self, forColumn: "raw"),
            receivedAt: StoreColumn.date(try row.decode(Double.self, forColumn: "received_at")),
            channel: try row.decode(String.self, forColumn: "channel")
        )
    }
}
