public import Foundation

/// Orders acknowledged before they are filed: the fast path of
/// `POST /v1/orders` with `Prefer: respond-async`.
///
/// Mapping, signing and validating six filings costs a few milliseconds of
/// CPU per order (RSA signing dominates), far more than storing the order.
/// On a sale-day peak the merchant should not wait for that: the order's
/// normalized JSON is committed durably (group commit, one fsync for many
/// orders) and answered 202; a preparer (`QueuedOrderPreparer` in the router)
/// files each waiting order through the usual intake afterwards, and records
/// whether it was filed or refused (and why).
///
/// Exactly once, across crashes: the queue row and the filed order share the
/// order number. A preparer that dies after filing but before marking the row
/// finds the order already filed when it retries (the intake answers
/// "already accepted"), so nothing is filed twice and nothing acknowledged is
/// dropped. Several preparers (several `yidan serve` processes on one
/// PostgreSQL) may both pick the same waiting order; the loser's filing is
/// the same no-op.
public struct QueuedOrderSubmission: Sendable {
    public var orderNo: String
    /// The filing merchant (`ebcCode`): an order number belongs to one merchant.
    public var merchant: String
    /// Normalized order JSON (personal data sealed by `SealedFilingStore`).
    public var orderJSON: Data
    public var receivedAt: Date

    public init(orderNo: String, merchant: String, orderJSON: Data, receivedAt: Date) {
        self.orderNo = orderNo
        self.merchant = merchant
        self.orderJSON = orderJSON
        self.receivedAt = receivedAt
    }
}

/// Where a queued order stands.
public enum QueuedOrderState: String, Sendable, CaseIterable {
    /// Acknowledged and durable; not yet filed.
    case waiting
    /// Filed: its filings are in the outbox (see the order's filings).
    case filed
    /// The intake refused it (`problem` says why); resubmitting replaces it.
    case refused
}

/// A row of the queue.
public struct QueuedOrder: Sendable {
    public var orderNo: String
    public var merchant: String
    /// Empty once the order is filed or refused (the filed order keeps its own copy).
    public var orderJSON: Data
    public var receivedAt: Date
    public var state: QueuedOrderState
    /// Why the intake refused it: field-by-field, personal data masked.
    public var problem: String?
    public var finishedAt: Date?

    public init(
        orderNo: String, merchant: String, orderJSON: Data, receivedAt: Date,
        state: QueuedOrderState, problem: String?, finishedAt: Date?
    ) {
        self.orderNo = orderNo
        self.merchant = merchant
        self.orderJSON = orderJSON
        self.receivedAt = receivedAt
        self.state = state
        self.problem = problem
        self.finishedAt = finishedAt
    }
}

/// What `enqueue` did.
public enum EnqueueOutcome: Sendable, Equatable {
    /// Stored, waiting to be filed (also a refused order resubmitted).
    case queued
    /// The same order number is already waiting: nothing stored twice.
    case alreadyQueued
    /// The order number is already filed.
    case alreadyFiled
    /// The order number belongs to another merchant.
    case otherMerchant
}

/// A store that can hold orders acknowledged before they are filed.
public protocol OrderQueueStore: Sendable {
    /// Stores the order durably (group commit) unless its number is known.
    func enqueue(_ order: QueuedOrderSubmission) async throws -> EnqueueOutcome
    /// Waiting orders, oldest first.
    func waitingOrders(limit: Int) async throws -> [QueuedOrder]
    /// Marks a waiting order filed or refused and drops its copy of the JSON.
    func finishQueuedOrder(orderNo: String, state: QueuedOrderState, problem: String?, at: Date) async throws
    /// The queue row of an order number, if any (its JSON left out).
    func queuedOrder(orderNo: String) async throws -> QueuedOrder?
    /// How many orders are in each state.
    func queueCounts() async throws -> [QueuedOrderState: Int]
}
