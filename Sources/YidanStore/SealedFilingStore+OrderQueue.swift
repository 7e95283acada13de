public import Foundation

/// The order queue of a sealed store: a waiting order's JSON is sealed like a
/// filed order's (same key, same context), opened when the preparer reads it.
extension SealedFilingStore: OrderQueueStore {
    var queue: any OrderQueueStore { get throws { try view((any OrderQueueStore).self, "order queue") } }

    public func enqueue(_ order: QueuedOrderSubmission) async throws -> EnqueueOutcome {
        var copy = order
        copy.orderJSON = try sealer.seal(order.orderJSON, context: Self.orderContext(order.orderNo))
        return try await queue.enqueue(copy)
    }

    public func waitingOrders(limit: Int) async throws -> [QueuedOrder] {
        try await queue.waitingOrders(limit: limit).map { row in
            var copy = row
            copy.orderJSON = try sealer.open(row.orderJSON, context: Self.orderContext(row.orderNo))
            return copy
        }
    }

    public func finishQueuedOrder(orderNo: String, state: QueuedOrderState, problem: String?, at: Date) async throws {
        try await queue.finishQueuedOrder(orderNo: orderNo, state: state, problem: problem, at: at)
    }

    public func queuedOrder(orderNo: String) async throws -> QueuedOrder? {
        try await queue.queuedOrder(orderNo: orderNo)
    }

    public func queueCounts() async throws -> [QueuedOrderState: Int] {
        try await queue.queueCounts()
    }
}
