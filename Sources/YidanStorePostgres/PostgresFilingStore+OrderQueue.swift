public import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

/// The order queue on PostgreSQL (`OrderQueue.swift`): table `order_queue`,
/// step `v4-order-queue`, the same semantics as `SQLiteFilingStore`'s. Several
/// `yidan serve` processes may enqueue one order number at once: each enqueue
/// is one transaction, and the row it decides on is locked.
extension PostgresFilingStore: OrderQueueStore {
    private static let queueColumns = "order_no, merchant, order_json, received_at, state, problem, finished_at"

    public func enqueue(_ order: QueuedOrderSubmission) async throws -> EnqueueOutcome {
        try await transaction("queueing an order") { connection in
            // An order stored without a merchant has no owner to tell apart:
            // it falls through to the queue, as in the SQLite store.
            let filed = try await connection.query(
                "SELECT merchant FROM orders WHERE order_no = \(order.orderNo)", logger: logger
            ).collect()
            if let row = filed.first, let owner = try row.decode(String?.self) {
                return owner == order.merchant ? .alreadyFiled : .otherMerchant
            }
            // ON CONFLICT waits for a concurrent enqueue of the same number to
            // commit, so of two at once exactly one inserts; the other reads its row below.
            let inserted = try await connection.query(
                """
                INSERT INTO order_queue (order_no, merchant, order_json, received_at, state)
                VALUES (\(order.orderNo), \(order.merchant), \(order.orderJSON), \(order.receivedAt.timeIntervalSince1970),
                        \(QueuedOrderState.waiting.rawValue))
                ON CONFLICT (order_no) DO NOTHING RETURNING order_no
                """,
                logger: logger
            ).collect()
            if !inserted.isEmpty { return .queued }
            // Locked: of two resubmissions of a refused order, the second sees
            // the first's `waiting` (FOR UPDATE re-reads the committed row).
            let rows = try await connection.query(
                "SELECT merchant, state FROM order_queue WHERE order_no = \(order.orderNo) FOR UPDATE", logger: logger
            ).collect()
            guard let row = rows.first else {
                throw YidanError(.store, "a queued order vanished while being queued")
            }
            let (owner, state) = try row.decode((String, String).self)
            guard owner == order.merchant else { return .otherMerchant }
            switch QueuedOrderState(rawValue: state) {
            case .waiting: return .alreadyQueued
            case .filed: return .alreadyFiled
            case .refused, nil:
                // A refused order sent again (fixed, or as it was): it waits anew.
                try await connection.query(
                    """
                    UPDATE order_queue SET order_json = \(order.orderJSON), received_at = \(order.receivedAt.timeIntervalSince1970),
                        state = \(QueuedOrderState.waiting.rawValue), problem = NULL, finished_at = NULL
                    WHERE order_no = \(order.orderNo)
                    """,
                    logger: logger
                )
                return .queued
            }
        }
    }

    public func waitingOrders(limit: Int) async throws -> [QueuedOrder] {
        try await read("reading the order queue") { connection in
            try await connection.query(
                """
                SELECT \(unescaped: Self.queueColumns) FROM order_queue
                WHERE state = \(QueuedOrderState.waiting.rawValue) ORDER BY received_at, seq LIMIT \(limit)
                """,
                logger: logger
            ).collect().map(Self.queuedOrder)
        }
    }

    /// Only a row still `waiting` changes: a preparer finishing an order
    /// another preparer finished first leaves the first outcome.
    public func finishQueuedOrder(orderNo: String, state: QueuedOrderState, problem: String?, at: Date) async throws {
        try await transaction("finishing a queued order") { connection in
            try await connection.query(
                """
                UPDATE order_queue SET state = \(state.rawValue), problem = \(problem), finished_at = \(at.timeIntervalSince1970),
                    order_json = '\\x'::bytea
                WHERE order_no = \(orderNo) AND state = \(QueuedOrderState.waiting.rawValue)
                """,
                logger: logger
            )
        }
    }

    public func queuedOrder(orderNo: String) async throws -> QueuedOrder? {
        try await read("reading a queued order") { connection in
            try await connection.query(
                """
                SELECT order_no, merchant, '\\x'::bytea AS order_json, received_at, state, problem, finished_at
                FROM order_queue WHERE order_no = \(orderNo)
                """,
                logger: logger
            ).collect().first.map(Self.queuedOrder)
        }
    }

    public func queueCounts() async throws -> [QueuedOrderState: Int] {
        try await read("counting the order queue") { connection in
            var counts: [QueuedOrderState: Int] = [:]
            for try await (state, count) in try await connection.query(
                "SELECT state, COUNT(*) FROM order_queue GROUP BY state", logger: logger
            ).decode((String, Int).self) {
                if let state = QueuedOrderState(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }

    private static func queuedOrder(_ row: PostgresRow) throws -> QueuedOrder {
        let cells = row.makeRandomAccess()
        return QueuedOrder(
            orderNo: try cells["order_no"].decode(String.self),
            merchant: try cells["merchant"].decode(String.self),
            orderJSON: try cells["order_json"].decode(Data.self),
            receivedAt: PostgresRows.date(try cells["received_at"].decode(Double.self)),
            state: try PostgresRows.raw(QueuedOrderState.self, cells["state"], "queue state"),
            problem: try cells["problem"].decode(String?.self),
            finishedAt: try cells["finished_at"].decode(Double?.self).map(PostgresRows.date)
        )
    }
}
