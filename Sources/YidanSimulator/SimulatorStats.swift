/// What the simulator has seen and done, for test harnesses proving
/// exactly-once delivery. Served as JSON on `GET /sim/stats`.
public struct SimulatorStats: Sendable, Equatable, Codable {
    /// Every request on `/dxp/messages`, including faulted and invalid ones.
    public var requestsReceived = 0
    /// Messages taken and processed (applied) exactly once, whatever their receipts say.
    public var messagesAccepted = 0
    /// Requests recognised as a repeat (same Idempotency-Key or same message guid).
    public var duplicatesRecognised = 0
    /// Requests refused with HTTP 400 (not an envelope, not a CEB message, no guid).
    public var invalidRequests = 0
    /// Requests answered by an injected fault (failed or dropped), on any endpoint.
    public var faultsInjected = 0
    /// Accepted messages whose final receipt is negative or 100.
    public var rejections = 0
    /// Receipts delivered, customs, tax and FX (to the inbox, the callback, or both: counted once each;
    /// a duplicated receipt counts twice).
    public var receiptsSent = 0
    /// Receipt callbacks that failed every attempt.
    public var receiptDeliveryFailures = 0
    /// Accepted messages per kind ("CEB311": 1, …).
    public var acceptedByKind: [String: Int] = [:]
    /// Receipts sent per kind ("CEB312": 3, "TAX-RECEIPT": 2, …).
    public var receiptsByKind: [String: Int] = [:]
    /// Guids of the applied messages, in the order they were applied.
    public var appliedMessageGuids: [String] = []
    /// The tax and FX endpoints, by authority ("tax", "fx"); the counters
    /// above are about `/dxp/messages` only, except faults and receipts.
    public var authorities: [String: AuthorityCounters] = [:]

    public init() {}
}

/// What one authority endpoint (`/tax/filings`, `/fx/filings`) has seen and done.
public struct AuthorityCounters: Sendable, Equatable, Codable {
    /// Every request, including faulted and invalid ones.
    public var requestsReceived = 0
    /// Filings taken and applied exactly once, whatever their receipts say.
    public var filingsAccepted = 0
    /// Requests recognised as a repeat (same Idempotency-Key or same filing guid).
    public var duplicatesRecognised = 0
    /// Requests refused with HTTP 400 (not XML, not this authority's filing, no guid).
    public var invalidRequests = 0
    /// Applied filings whose final receipt is negative (-1, -2, -3).
    public var rejections = 0
    /// Guids of the applied filings, in the order they were applied.
    public var appliedFilingGuids: [String] = []

    public init() {}
}

/// One receipt the simulator sent, as recorded for `receiptsSent(forMessageGuid:)`.
public struct SentReceipt: Sendable, Equatable, Codable {
    public var receiptKind: String
    public var receiptGuid: String
    public var messageGuid: String
    public var returnStatus: String
    /// Delivery sequence number across the simulator (also in inbox file names).
    public var sequence: Int

    public init(receiptKind: String, receiptGuid: String, messageGuid: String, returnStatus: String, sequence: Int) {
        self.receiptKind = receiptKind
        self.receiptGuid = receiptGuid
        self.messageGuid = messageGuid
        self.returnStatus = returnStatus
        self.sequence = sequence
    }
}
