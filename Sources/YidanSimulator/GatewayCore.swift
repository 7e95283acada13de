import Foundation
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// What the HTTP layer must do with one request after the gateway processed it.
struct GatewayHandling: Sendable {
    var reply: GatewayReply
    /// Extra wait before answering (fault plan `answerDelayMilliseconds`).
    var delay: Duration?
    /// Close the connection mid-answer (fault plan `dropNext`).
    var drop: Bool
    /// `Retry-After` seconds to send with a failed answer.
    var retryAfterSeconds: Int?
    /// Trickle the answer's body one byte per interval (fault plan `dripNext`).
    var drip: Duration? = nil
}

/// Work for the receipt scheduler: the receipts one applied message earns.
struct ReceiptJob: Sendable {
    enum Plan: Sendable {
        /// Refused on arrival: this single receipt.
        case refused(ReceiptStep)
        /// Accepted: the kind's normal sequence (with the match gate for an inventory).
        case accepted
    }
    var declared: DeclaredMessage
    var plan: Plan
    /// The DXP id of the declarer, to address the receipt envelopes.
    var senderId: String
}

/// The gateway's state, one request at a time: fault plan, idempotency cache,
/// customs ledger and counters. The XML work (parsing, schema, signature) is
/// done before a request enters the actor (`RequestExaminer`), in parallel;
/// the actor decides with its state alone.
actor GatewayCore {
    /// The stateless checks, for the routes to run before calling in.
    nonisolated let examiner: RequestExaminer
    private let gatewayDxpId: String
    var faults: FaultPlan
    var ledger = CustomsLedger()
    var stats = SimulatorStats()
    /// The tax and FX endpoints' state (AuthorityDesk.swift).
    var desk = AuthorityDesk()
    /// Released import inventories by invtNo, for cancels and returns (InventoryChanges.swift).
    var numberedInventories: [String: NumberedInventory] = [:]
    /// Idempotency key → the answer given the first time.
    private var answers: [String: GatewayReply] = [:]
    /// Message guid → the idempotency key it was first applied under.
    private var keyByGuid: [String: String] = [:]
    private var appliedByKey: [String: Int] = [:]
    private var sent: [SentReceipt] = []
    private var sequence = 0
    private var documentNumber = 0
    private var jobs: AsyncStream<SimulatorJob>.Continuation?
    private var pendingJobs = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(schemaURL: URL, gatewayDxpId: String, faults: FaultPlan) throws {
        self.examiner = try RequestExaminer(schemaURL: schemaURL)
        self.gatewayDxpId = gatewayDxpId
        self.faults = faults
    }

    // MARK: requests

    /// One request on `/dxp/messages`, examined by `examiner.examineCustoms(_:)`.
    func receive(_ examination: RequestExaminer.CustomsExamination, idempotencyKey headerKey: String?) -> GatewayHandling {
        stats.requestsReceived += 1
        if faults.failNext > 0 {
            faults.failNext -= 1
            stats.faultsInjected += 1
            return GatewayHandling(reply: .fault(status: faults.failStatus, receiverId: gatewayDxpId),
                                   delay: nil, drop: false, retryAfterSeconds: faults.retryAfterSeconds)
        }
        let reply = process(examination, headerKey: headerKey)
        let delay: Duration? = faults.answerDelayMilliseconds > 0 ? .milliseconds(faults.answerDelayMilliseconds) : nil
        var drop = false
        if faults.dropNext > 0 {
            faults.dropNext -= 1
            stats.faultsInjected += 1
            drop = true
        }
        var drip: Duration?
        if !drop, faults.dripNext > 0 {
            faults.dripNext -= 1
            stats.faultsInjected += 1
            drip = .milliseconds(max(1, faults.dripIntervalMilliseconds))
        }
        return GatewayHandling(reply: reply, delay: delay, drop: drop, retryAfterSeconds: nil, drip: drip)
    }

    private func process(_ examination: RequestExaminer.CustomsExamination, headerKey: String?) -> GatewayReply {
        let envelope: DxpEnvelope
        let content: RequestExaminer.CustomsContent
        switch examination {
        case .badEnvelope(let reason):
            stats.invalidRequests += 1
            return .invalid(receiverId: gatewayDxpId, reason: reason)
        case .envelope(let read, let held):
            (envelope, content) = (read, held)
        }
        let key = headerKey.flatMap { $0.isEmpty ? nil : $0 } ?? envelope.copMsgId
        if let earlier = answers[key] {
            stats.duplicatesRecognised += 1
            return earlier
        }
        let declared: DeclaredMessage
        let refusal: ReceiptStep?
        switch content {
        case .unreadable(let reason):
            stats.invalidRequests += 1
            return .invalid(receiverId: gatewayDxpId, reason: reason)
        case .message(let message, let problem):
            (declared, refusal) = (message, problem)
        }
        // Real gateways also refuse a guid twice; answer as the first time.
        if let firstKey = keyByGuid[declared.guid], let earlier = answers[firstKey] {
            stats.duplicatesRecognised += 1
            answers[key] = earlier
            return earlier
        }

        let plan = judge(declared, refusal: refusal)
        let reply = GatewayReply.accepted(receiverId: envelope.senderId, msgType: envelope.msgType, guid: declared.guid)
        answers[key] = reply
        keyByGuid[declared.guid] = key
        appliedByKey[key, default: 0] += 1
        stats.messagesAccepted += 1
        stats.acceptedByKind[declared.kind.rawValue, default: 0] += 1
        stats.appliedMessageGuids.append(declared.guid)
        if case .refused = plan { stats.rejections += 1 }
        enqueue(.customs(ReceiptJob(declared: declared, plan: plan, senderId: envelope.senderId)))
        return reply
    }

    /// Schema and signature (examined before), then the business rules.
    private func judge(_ declared: DeclaredMessage, refusal: ReceiptStep?) -> ReceiptJob.Plan {
        if let refusal { return .refused(refusal) }
        switch ledger.admit(declared) {
        case .accepted: return .accepted
        case .refused(let status, let info): return .refused(ReceiptStep(returnStatus: status, returnInfo: info))
        }
    }

    /// Only the redacted description of a yidan error; other errors by type name.
    static func safeReason(_ error: any Error) -> String {
        if let error = error as? YidanError { return error.description }
        return String(describing: type(of: error))
    }

    // MARK: receipts bookkeeping

    /// Connects the receipt scheduler of a running server; nil when it stops,
    /// which forgets receipts not yet sent so `waitUntilIdle` cannot hang.
    func attach(_ continuation: AsyncStream<SimulatorJob>.Continuation?) {
        jobs = continuation
        if continuation == nil {
            pendingJobs = 0
            jobFinished()
        }
    }

    func enqueue(_ job: SimulatorJob) {
        pendingJobs += 1
        guard let jobs else {
            jobFinished()
            return
        }
        if case .terminated = jobs.yield(job) { jobFinished() }
    }

    func jobFinished() {
        pendingJobs = max(0, pendingJobs - 1)
        guard pendingJobs == 0 else { return }
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every scheduled receipt has been delivered (or given up).
    func waitUntilIdle() async {
        if pendingJobs == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    func matchInventory(_ inventory: DeclaredMessage) -> InventoryMatch {
        ledger.matchInventory(inventory)
    }

    func noteRejection() { stats.rejections += 1 }

    func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    func nextDocumentNumber() -> Int {
        documentNumber += 1
        return documentNumber
    }

    func recordSent(_ receipt: SentReceipt) {
        sent.append(receipt)
        stats.receiptsSent += 1
        stats.receiptsByKind[receipt.receiptKind, default: 0] += 1
    }

    func recordDeliveryFailure() { stats.receiptDeliveryFailures += 1 }

    // MARK: inspection

    func currentStats() -> SimulatorStats { stats }
    func appliedCount(forIdempotencyKey key: String) -> Int { (appliedByKey[key] ?? 0) + (desk.appliedByKey[key] ?? 0) }
    func sentReceipts() -> [SentReceipt] { sent }
    func faultPlan() -> FaultPlan { faults }
    func setFaultPlan(_ plan: FaultPlan) { faults = plan }
}
