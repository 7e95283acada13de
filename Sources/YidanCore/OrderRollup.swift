/// One status for a whole order, rolled up from all its filings, for people
/// who ask "where is my order?" rather than "where is filing 3 of 4?".
///
/// The rules, in order: a refusal anywhere decides (the order cannot clear
/// until it is fixed); then a filing given up on; then how far the inventory
/// got, since the inventory is what customs releases goods on; before that,
/// how far the four filings got together.
public enum OrderRollupStatus: Sendable, Equatable, CustomStringConvertible {
    /// Stored, nothing delivered yet.
    case accepted
    /// Some filings still waiting in the outbox or being posted.
    case sending
    /// Every filing reached the gateway; customs is processing them.
    case declared
    /// The inventory matched its order, payment and waybill (customs stored it).
    case matched
    /// Customs reviewed the inventory; release is pending.
    case concluded
    /// Goods released (or the declaration closed).
    case released
    /// Customs approved a cancel (CEB623, 399): the declaration is withdrawn.
    case cancelled
    /// Customs approved a return (CEB625, 399): the goods went back.
    case returned
    /// A filing was refused: which one and why.
    case rejected(kind: MessageKind, returnStatus: String?, reason: String?)
    /// A filing could not be delivered at all (retries exhausted).
    case failed(kind: MessageKind, reason: String?)

    public var description: String {
        switch self {
        case .accepted: "accepted"
        case .sending: "sending"
        case .declared: "declared"
        case .matched: "matched"
        case .concluded: "concluded"
        case .released: "released"
        case .cancelled: "cancelled"
        case .returned: "returned"
        case let .rejected(kind, code, reason):
            "rejected (\(kind.rawValue) \(kind.label)\(code.map { " " + $0 } ?? "")\(reason.map { ": " + $0 } ?? ""))"
        case let .failed(kind, reason):
            "failed (\(kind.rawValue) \(kind.label) undeliverable\(reason.map { ": " + $0 } ?? ""))"
        }
    }
}

/// What the rollup needs to know of each filing.
public struct FilingSummary: Sendable, Equatable {
    public var kind: MessageKind
    public var status: FilingStatus
    public var lastReturnStatus: String?
    public var lastReturnInfo: String?
    public var lastError: String?

    public init(kind: MessageKind, status: FilingStatus, lastReturnStatus: String? = nil, lastReturnInfo: String? = nil, lastError: String? = nil) {
        self.kind = kind
        self.status = status
        self.lastReturnStatus = lastReturnStatus
        self.lastReturnInfo = lastReturnInfo
        self.lastError = lastError
    }
}

public enum OrderRollup {
    public static func status(of filings: [FilingSummary]) -> OrderRollupStatus {
        let ordered = filings.sorted { $0.kind < $1.kind }
        // An approved cancel or return ends the order, whatever came before.
        if ordered.contains(where: { $0.kind == .ceb623 && $0.status == .concluded }) { return .cancelled }
        if ordered.contains(where: { $0.kind == .ceb625 && $0.status == .concluded }) { return .returned }
        if let refused = ordered.first(where: { $0.status == .rejected }) {
            return .rejected(kind: refused.kind, returnStatus: refused.lastReturnStatus, reason: refused.lastReturnInfo)
        }
        if let dead = ordered.first(where: { $0.status == .dead }) {
            return .failed(kind: dead.kind, reason: dead.lastError)
        }
        guard !ordered.isEmpty else { return .accepted }
        // The inventory (import CEB621, export CEB603) carries the order's outcome.
        if let inventory = ordered.first(where: { $0.kind == .ceb621 || $0.kind == .ceb603 }) {
            switch inventory.status {
            case .released, .closed: return .released
            case .concluded: return .concluded
            case .stored, .reviewing, .inspecting: return .matched
            default: break
            }
        }
        if ordered.allSatisfy({ $0.status.rank >= FilingStatus.delivered.rank }) { return .declared }
        if ordered.allSatisfy({ $0.status == .queued && $0.lastError == nil }) { return .accepted }
        return .sending
    }
}
