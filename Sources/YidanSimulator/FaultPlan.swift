/// Faults the simulator injects on `POST /dxp/messages`, to prove the client's
/// retries and exactly-once delivery. Set at start (`SimulatorConfiguration`),
/// through the Swift API (`AuthoritySimulator.setFaultPlan`) or as JSON with
/// `POST /sim/faults`; every field is optional in JSON.
///
/// What a client sees:
/// - `failNext`: the next N requests get `failStatus` (503 by default) with an
///   XML error body and, when `retryAfterSeconds` is set, a `Retry-After`
///   header. Nothing is parsed or applied.
/// - `answerDelayMilliseconds`: the message is processed at once, then the
///   answer waits this long (a client with a shorter timeout gives up although
///   the message was applied; its retry is then recognised as a duplicate).
/// - `dropNext`: the next N requests are processed (applied) and then the
///   connection is closed mid-answer: the status line and headers of a 200 with
///   a chunked body are sent, a few bytes of body, then the connection closes
///   without the terminating chunk. libcurl reports a partial transfer or a
///   receive error (CURLE_PARTIAL_FILE 18 / CURLE_RECV_ERROR 56), never a status.
/// - `dripNext` (customs gateway): the next N messages are applied, then the answer
///   trickles: the head of a 200 goes out at once, the body one byte every
///   `dripIntervalMilliseconds`. Each byte comes soon enough for a stall
///   detector, but the whole answer outlasts a client's total timeout
///   (CURLE_OPERATION_TIMEDOUT 28), so the client retries a message that was
///   already applied; the retry is recognised as a duplicate.
/// - `duplicateReceipts`: every receipt is delivered twice (same document).
/// - `outOfOrderReceipts`: the last two receipts of each message are delivered
///   in swapped order (e.g. 2, 120, 3 or 2, 120, 800, 399), so the later status
///   arrives before the earlier one.
/// - `taxBillVariance`: the tax bill (CEB816) after a release bills one fen
///   more VAT on its first item than the declared lines give, so the
///   reconciliation has a real difference to find.
/// - `unavailableDesks`: the tax and/or FX desk (`"tax"`, `"fx"`) answers every
///   request with `failStatus` (nothing applied) for as long as it is listed —
///   an authority that is down, while customs keeps answering. Clear it with a
///   new plan.
public struct FaultPlan: Sendable, Equatable, Codable {
    public var failNext: Int
    public var failStatus: Int
    public var retryAfterSeconds: Int?
    public var answerDelayMilliseconds: Int
    public var dropNext: Int
    public var dripNext: Int
    public var dripIntervalMilliseconds: Int
    public var duplicateReceipts: Bool
    public var outOfOrderReceipts: Bool
    public var taxBillVariance: Bool
    public var unavailableDesks: Set<String>

    public init(
        failNext: Int = 0,
        failStatus: Int = 503,
        retryAfterSeconds: Int? = nil,
        answerDelayMilliseconds: Int = 0,
        dropNext: Int = 0,
        dripNext: Int = 0,
        dripIntervalMilliseconds: Int = 50,
        duplicateReceipts: Bool = false,
        outOfOrderReceipts: Bool = false,
        taxBillVariance: Bool = false,
        unavailableDesks: Set<String> = []
    ) {
        self.failNext = failNext
        self.failStatus = failStatus
        self.retryAfterSeconds = retryAfterSeconds
        self.answerDelayMilliseconds = answerDelayMilliseconds
        self.dropNext = dropNext
        self.dripNext = dripNext
        self.dripIntervalMilliseconds = dripIntervalMilliseconds
        self.duplicateReceipts = duplicateReceipts
        self.outOfOrderReceipts = outOfOrderReceipts
        self.taxBillVariance = taxBillVariance
        self.unavailableDesks = unavailableDesks
    }

    /// No faults at all.
    public static let none = FaultPlan()

    enum CodingKeys: String, CodingKey {
        case failNext, failStatus, retryAfterSeconds, answerDelayMilliseconds, dropNext, dripNext, dripIntervalMilliseconds, duplicateReceipts, outOfOrderReceipts, taxBillVariance, unavailableDesks
    }

    /// Missing JSON fields take their defaults, so `{"failNext":2}` is a whole plan.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            failNext: try c.decodeIfPresent(Int.self, forKey: .failNext) ?? 0,
            failStatus: try c.decodeIfPresent(Int.self, forKey: .failStatus) ?? 503,
            retryAfterSeconds: try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds),
            answerDelayMilliseconds: try c.decodeIfPresent(Int.self, forKey: .answerDelayMilliseconds) ?? 0,
            dropNext: try c.decodeIfPresent(Int.self, forKey: .dropNext) ?? 0,
            dripNext: try c.decodeIfPresent(Int.self, forKey: .dripNext) ?? 0,
            dripIntervalMilliseconds: try c.decodeIfPresent(Int.self, forKey: .dripIntervalMilliseconds) ?? 50,
            duplicateReceipts: try c.decodeIfPresent(Bool.self, forKey: .duplicateReceipts) ?? false,
            outOfOrderReceipts: try c.decodeIfPresent(Bool.self, forKey: .outOfOrderReceipts) ?? false,
            taxBillVariance: try c.decodeIfPresent(Bool.self, forKey: .taxBillVariance) ?? false,
            unavailableDesks: try c.decodeIfPresent(Set<String>.self, forKey: .unavailableDesks) ?? []
        )
    }
}
