public import Foundation
import GRDB
import YidanCore

/// Rewrites the stored values that hold personal data, for key rotation and
/// for sealing rows written before encryption at rest was turned on.
public protocol PersonalDataResealing: Sendable {
    /// Calls `transform` with every sealed value (`PersonalDataTable`: each
    /// order's JSON, each queued order's JSON, each filing's bytes) and its row
    /// id (order number or filing id); a non-nil result replaces the
    /// stored value. Works in batches of one transaction each, so a rotation
    /// over a large store never holds one long write lock; running it again
    /// after an interruption finishes the job. Returns how many values changed.
    func resealPersonalData(
        _ transform: @escaping @Sendable (_ table: PersonalDataTable, _ rowID: String, _ stored: Data) throws -> Data?
    ) async throws -> Int
}

/// Where personal data is stored sealed. Both backends use these table and
/// column names (except SQLite's filing bytes, in `filing_payloads`), so each
/// re-seals exactly this list.
public enum PersonalDataTable: String, Sendable, CaseIterable {
    /// `orders.order_json`, by order number.
    case order
    /// `order_queue.order_json` (orders acknowledged before filing), by order
    /// number; sealed in the same context as the order's own JSON.
    case queuedOrder
    /// `filings.payload`, by filing id (`filing_payloads.payload` in SQLite).
    case filing

    /// The table, its row key and the sealed column.
    public var location: (table: String, key: String, column: String) {
        switch self {
        case .order: ("orders", "order_no", "order_json")
        case .queuedOrder: ("order_queue", "order_no", "order_json")
        case .filing: ("filings", "id", "payload")
        }
    }
}

extension SQLiteFilingStore: PersonalDataResealing {
    public func resealPersonalData(
        _ transform: @escaping @Sendable (_ table: PersonalDataTable, _ rowID: String, _ stored: Data) throws -> Data?
    ) async throws -> Int {
        var changed = 0
        for table in PersonalDataTable.allCases {
            changed += try await reseal(table: table, transform)
        }
        return changed
    }

    private func reseal(
        table: PersonalDataTable, _ transform: @escaping @Sendable (PersonalDataTable, String, Data) throws -> Data?
    ) async throws -> Int {
        // Filing bytes sit beside the filings rows here (`SQLiteFilingStore+Payloads.swift`).
        let (sqlTable, key, column) = table == .filing ? ("filing_payloads", "filing_id", "payload") : table.location
        var after = ""
        var changed = 0
        while true {
            let cursor = after
            let (count, last, more) = try await write("re-sealing personal data") { db -> (Int, String, Bool) in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(key) AS k, \(column) AS v FROM \(sqlTable) WHERE \(key) > ? ORDER BY \(key) LIMIT 500",
                    arguments: [cursor]
                )
                var count = 0
                for row in rows {
                    let id: String = row["k"]
                    let stored: Data = row["v"]
                    if let replacement = try transform(table, id, stored) {
                        try db.execute(sql: "UPDATE \(sqlTable) SET \(column) = ? WHERE \(key) = ?", arguments: [replacement, id])
                        count += 1
                    }
                }
                let last: String = rows.last?["k"] ?? cursor
                return (count, last, rows.count == 500)
            }
            changed += count
            after = last
            if !more { return changed }
        }
    }
}

extension SealedFilingStore {
    /// Seals every value not yet sealed with the current key: values sealed
    /// with an older key of the ring, and plaintext written before sealing was
    /// on. Afterwards the older keys can be dropped from the key file.
    public func rekey() async throws -> Int {
        guard let resealing = base as? any PersonalDataResealing else {
            throw YidanError(.configuration, "this store cannot re-seal its data")
        }
        let sealer = self.sealer
        return try await resealing.resealPersonalData { table, rowID, stored in
            // Pruned values (empty bytes) stay empty: there is nothing to seal.
            if stored.isEmpty || PersonalDataSealer.keyID(of: stored) == sealer.keys.current.id { return nil }
            let context = table == .filing ? Self.filingContext(rowID) : Self.orderContext(rowID)
            let plain = try sealer.open(stored, context: context)
            return try sealer.seal(plain, context: context)
        }
    }
}
