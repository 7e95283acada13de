public import Foundation
import GRDB
import YidanCore

extension SQLiteFilingStore {
    /// An amendment in one transaction: the order's JSON becomes the amended
    /// order, the new versions are queued and the buyer's allowance moves by
    /// the change in dutiable value — all or nothing.
    public func amendOrder(
        orderNo: String, orderJSON: Data, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date
    ) async throws {
        try await write("amending an order") { db in
            let known = try Int.fetchOne(db, sql: "SELECT 1 FROM orders WHERE order_no = ?", arguments: [orderNo])
            guard known != nil else {
                throw YidanError(.notFound, "no accepted order \(orderNo)")
            }
            if let delta = allowanceDelta, delta.amount != 0 {
                try Self.adjustAllowance(delta, db)
            }
            try db.execute(sql: "UPDATE orders SET order_json = ? WHERE order_no = ?", arguments: [orderJSON, orderNo])
            try Self.insertAppended(filings, orderNo: orderNo, at: at, db)
        }
    }
}
