/// The filing state machine: which status a filing moves to when something
/// happens to it. Pure: it only answers, the store applies the answer inside
/// its transaction.
///
/// Rules:
/// - A filing only moves to a higher `FilingStatus.rank`.
/// - Nothing moves a filing out of a status that is terminal for its kind.
/// - `rejected` may come from any non-terminal status.
/// - Receipts can race ahead of our own HTTP response: a receipt for a filing
///   still `queued` or `sending` moves it all the same, and the late delivery
///   result then leaves the status alone (`onDelivery` returns nil).
public enum FilingLifecycle {
    /// The status a receipt reporting `reported` moves a filing of `kind` to,
    /// or nil if the receipt only goes into the history (duplicate, late,
    /// out of order, after a terminal status, or not a receipt status).
    public static func onReceipt(current: FilingStatus, kind: MessageKind, reported: FilingStatus) -> FilingStatus? {
        guard isReceiptStatus(reported) else { return nil }
        guard !current.isTerminal(for: kind) else { return nil }
        if reported == .rejected { return .rejected }
        return reported.rank > current.rank ? reported : nil
    }

    /// Statuses a customs receipt can report: everything after `delivered`
    /// (`dead` belongs to our own delivery, not to customs).
    public static func isReceiptStatus(_ status: FilingStatus) -> Bool {
        switch status {
        case .queued, .sending, .delivered, .dead: false
        default: true
        }
    }

    /// The status a dispatcher claim moves a filing to: only an awaiting filing
    /// can be claimed (a `sending` one whose lease expired is claimed again).
    public static func onClaim(current: FilingStatus) -> FilingStatus? {
        current.isAwaitingDelivery ? .sending : nil
    }

    /// The status a finished delivery attempt moves a filing to, or nil to keep
    /// the current one (record the attempt only).
    ///
    /// Only a filing still awaiting delivery (`queued`/`sending`) moves: if a
    /// receipt got there first the filing is already past `delivered`, and a
    /// late HTTP answer must neither move it back nor kill it.
    public static func onDelivery(current: FilingStatus, decision: DeliveryDecision) -> FilingStatus? {
        guard current.isAwaitingDelivery else { return nil }
        switch decision {
        case .delivered: return .delivered
        case .retry: return .queued
        case .dead: return .dead
        }
    }
}
