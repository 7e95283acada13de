public import Foundation
public import YidanCore

/// One status move of one filing, as the store logged it inside the same
/// transaction that made the move: the log is complete (no move without a
/// row) and in commit order (`id` grows with every move). The broker's live
/// stream (`GET /v1/stream`) and `yidan watch` follow it by `id`.
public struct StatusChange: Sendable, Equatable {
    /// Increasing with every logged move; resume after the last one seen.
    public var id: Int64
    public var filingID: String
    public var orderNo: String
    /// The order's e-commerce enterprise (`ebcCode`), when known.
    public var merchant: String?
    public var kind: MessageKind
    /// Nil when the filing was just stored (its first status).
    public var from: FilingStatus?
    public var to: FilingStatus
    public var at: Date
    /// The receipt's returnStatus when a receipt made the move.
    public var returnStatus: String?
    /// What made the move.
    public var cause: StatusChangeCause

    public init(
        id: Int64, filingID: String, orderNo: String, merchant: String?, kind: MessageKind, from: FilingStatus?,
        to: FilingStatus, at: Date, returnStatus: String?, cause: StatusChangeCause
    ) {
        self.id = id
        self.filingID = filingID
        self.orderNo = orderNo
        self.merchant = merchant
        self.kind = kind
        self.from = from
        self.to = to
        self.at = at
        self.returnStatus = returnStatus
        self.cause = cause
    }
}

/// What moved a filing.
public enum StatusChangeCause: String, Sendable, Hashable, CaseIterable {
    /// Stored: an order accepted, or a later filing (amend, cancel, return, reversal) added.
    case stored
    /// A dispatcher claimed it for delivery.
    case claim
    /// A delivery attempt finished (delivered, retry later, or given up).
    case delivery
    /// An authority's receipt.
    case receipt
    /// A broker sent it back to the outbox (`retry`).
    case retry
}
