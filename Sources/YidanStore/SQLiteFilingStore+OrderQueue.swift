public import Foundation
import GRDB
import YidanCore

/// The order queue in SQLite (`OrderQueue.swift`): table `order_queue`,
/// migration `v7-order-queue`. Enqueues share group-committed transactions
/// like accepted orders do.
extension SQLiteFilingStore: OrderQueueStore {
    static func createOrderQueue(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE order_queue (
                order_no TEXT PRIMARY KEY NOT NULL,
                merchant TEXT NOT NULL,
                order_json BLOB NOT NULL,
                received_at REAL NOT NULL,
                state TEXT NOT NULL,
                problem TEXT,
                finished_at REAL
            );
            CREATE INDEX order_queue_by_state ON order_queue(state, received_at);
            """)
    }

    public func enqueue(_ order: QueuedOrderSubmission) async throws -> EnqueueOutcome {
        try await enqueueQueue.submit(order)
    }

    /// One enqueue inside a group commit's transaction.
    static func insertQueuedOrder(_ order: QueuedOrderSubmission, _ db: Database) throws -> EnqueueOutcome {
        if let owner = try String.fetchOne(
            db.cachedStatement(sql: "SELECT merchant FROM orders WHERE order_no = ?"), arguments: [order.orderNo]
        ) {
            return owner == order.merchant ? .alreadyFiled : .otherMerchant
        }
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT merchant, state FROM order_queue WHERE order_no = ?"), arguments: [order.orderNo]
        ) {
            let owner: String = row["merchant"]
            guard owner == order.merchant else { return .otherMerchant }
            switch QueuedOrderState(rawValue: row["state"]) {
            case .waiting: return .alreadyQueued
            case .filed: return .alreadyFiled
            case .refused, nil:
                // A refused order sent again (fixed, or as it was): it waits anew.
                try db.cachedStatement(sql: """
                    UPDATE order_queue SET order_json = ?, received_at = ?, state = ?, problem = NULL, finished_at = NULL
                    WHERE order_no = ?
                    """).execute(arguments: [order.orderJSON, StoreColumn.seconds(order.receivedAt), QueuedOrderState.waiting.rawValue, order.orderNo])
                return .queued
            }
        }
        try db.cachedStatement(sql: """
            INSERT INTO order_queue (order_no, merchant, order_json, received_at, state) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [
                order.orderNo, order.merchant, order.orderJSON, StoreColumn.seconds(order.receivedAt), QueuedOrderState.waiting.rawValue,
            ])
        return .queued
    }

    public func waitingOrders(limit: Int) async throws -> [QueuedOrder] {
        try await read("reading the order queue") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM order_queue WHERE state = ? ORDER BY received_at, rowid LIMIT ?
                """, arguments: [QueuedOrderState.waiting.rawValue, limit]).map(Self.queuedOrder(row:))
        }
    }

    public func finishQueuedOrder(orderNo: String, state: QueuedOrderState, problem: String?, at: Date) async throws {
        try await write("finishing a queued order") { db in
            try db.execute(sql: """
                UPDATE order_queue SET state = ?, problem = ?, finished_at = ?, order_json = x''
                WHERE order_no = ? AND state = ?
                """, arguments: [state.rawValue, problem, StoreColumn.seconds(at), orderNo, QueuedOrderState.waiting.rawValue])
        }
    }

    public func queuedOrder(orderNo: String) async throws -> QueuedOrder? {
        try await read("reading a queued order") { db in
            try Row.fetchOne(db, sql: """
                SELECT order_no, merchant, x'' AS order_json, received_at, state, problem, finished_at
                FROM order_queue WHERE order_no = ?
                """, arguments: [orderNo]).map(Self.queuedOrder(row:))
        }
    }

    public func queueCounts() async throws -> [QueuedOrderState: Int] {
        try await read("counting the order queue") { db in
            var counts: [QueuedOrderState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM order_queue GROUP BY state") {
                if let state = QueuedOrderState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    static func queuedOrder(row: Row) throws -> QueuedOrder {
        guard let state = QueuedOrderState(rawValue: row["state"]) else {
            throw YidanError(.store, "stored queue state \(String(describing: row["state"] as String?)) is unknown")
        }
        return QueuedOrder(
            orderNo: row["order_no"], merchant: row["merchant"], orderJSON: row["order_json"] ?? Data(),
            receivedAt: StoreColumn.date(row["received_at"] as Double), state: state, problem: row["problem"],
            finishedAt: StoreColumn.date(row["finished_at"] as Double?)
        )
    }
}
