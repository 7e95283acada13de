public import Foundation
public import YidanCore

/// What a customs broker's desk (`yidan serve`, `yidan list`/`watch`/`retry`)
/// needs from the store beyond the pipeline's `FilingStore`.
///
/// The SQLite store conforms (`SQLiteFilingStore+Broker.swift`); the SQL is
/// plain enough for the PostgreSQL store to follow.
public protocol BrokerStore: FilingStore {
    /// One page of filings matching the query, newest first (`FilingQuery`).
    func filings(matching query: FilingQuery) async throws -> FilingPage

    /// Sends a filing back to the outbox: a `dead` filing, or one `rejected`
    /// before customs saw it (`BrokerRetryRule`), becomes `queued`, due at `at`,
    /// its attempts kept and the move logged (cause `retry`). Throws
    /// `YidanError(.notFound)` for an unknown id and `YidanError(.notEligible)`
    /// naming the status for any other filing.
    func retry(filingID: String, at: Date) async throws -> FilingRecord

    /// Retries every `dead` filing (as `retry`), in one transaction; returns them.
    func retryAllDead(at: Date) async throws -> [FilingRecord]

    /// Logged status moves with an id greater than `after`, oldest first, at most `limit`.
    func statusChanges(after: Int64, limit: Int) async throws -> [StatusChange]

    /// The id of the newest logged move (0 when none): where a live stream starts.
    func lastStatusChangeID() async throws -> Int64

    /// Filings with no final status created before `before` (the deadline), oldest first.
    func stuckFilings(before: Date, limit: Int) async throws -> [FilingOverview]

    /// The order's merchant code (`ebcCode`); nil for an unknown order or one stored without it.
    func orderMerchant(orderNo: String) async throws -> String?

    /// Filings per authority and status (absent pairs have none), for the desk's counts.
    func statusCountsByAuthority() async throws -> [Authority: [FilingStatus: Int]]
}

/// Which filings a broker may send back to the outbox unchanged.
///
/// `dead`: our own delivery gave up (retries exhausted or a permanent
/// transport error) — the bytes never reached the gateway, or not for sure.
/// `rejected` with a returnStatus in `transportRefusals`: the e-port took the
/// message but could not forward it to customs (`4`, 发送海关失败), so customs
/// never judged it. Any other refusal is a judgement on the content: sending the
/// same bytes again cannot help; that needs `yidan resubmit` (new versions).
public enum BrokerRetryRule {
    /// returnStatus codes of a refusal that happened in transport, not in review.
    public static let transportRefusals: Set<String> = ["4"]

    public static func mayRetry(status: FilingStatus, lastReturnStatus: String?) -> Bool {
        switch status {
        case .dead: true
        case .rejected: lastReturnStatus.map { transportRefusals.contains($0.trimmingCharacters(in: .whitespaces)) } ?? false
        default: false
        }
    }
}
