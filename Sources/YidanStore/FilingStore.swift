public import Foundation
public import YidanCore

/// One filing as prepared by the mapping stage, ready to be stored in the outbox.
public struct PreparedFiling: Sendable, Equatable {
    /// The message guid (36 upper-case characters); also the filing's id.
    public var id: String
    public var kind: MessageKind
    /// The signed, schema-valid message bytes, exactly as they will be sent.
    public var payload: Data
    /// Derived from the payload's content (hex SHA-256); never reused for other content.
    public var idempotencyKey: String
    /// Why it is filed: the first declaration, or a later change to the order.
    public var purpose: FilingPurpose
    /// The earlier filing this one amends or reverses, if any.
    public var supersedes: String?

    public init(
        id: String, kind: MessageKind, payload: Data, idempotencyKey: String, purpose: FilingPurpose = .declare,
        supersedes: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.purpose = purpose
        self.supersedes = supersedes
    }
}

/// Everything accepting one order writes, in one transaction.
public struct OrderSubmission: Sendable {
    public var orderNo: String
    public var platform: String
    /// The normalized order as JSON (`NormalizedOrderJSON`).
    public var orderJSON: Data
    public var filings: [PreparedFiling]
    /// The buyer's annual allowance this order uses, checked and added atomically.
    public var allowance: AllowanceUse?
    public var acceptedAt: Date
    /// The e-commerce enterprise (`ebcCode`) the order belongs to: the merchant
    /// whose orders a merchant key sees and a broker is appointed for.
    public var merchant: String?
    /// The declaring agent (`agentCode`): the customs broker filing for the merchant.
    public var agent: String?

    public init(
        orderNo: String, platform: String, orderJSON: Data, filings: [PreparedFiling], allowance: AllowanceUse?, acceptedAt: Date,
        merchant: String? = nil, agent: String? = nil
    ) {
        self.merchant = merchant
        self.agent = agent
        self.orderNo = orderNo
        self.platform = platform
        self.orderJSON = orderJSON
        self.filings = filings
        self.allowance = allowance
        self.acceptedAt = acceptedAt
    }
}

/// Use of the 26,000 RMB per buyer per calendar year allowance.
public struct AllowanceUse: Sendable, Equatable {
    /// A keyed hash of the buyer's ID number: the raw number is never a key.
    public var buyerKey: String
    public var year: Int
    public var amount: Decimal
    public var limit: Decimal

    public init(buyerKey: String, year: Int, amount: Decimal, limit: Decimal) {
        self.buyerKey = buyerKey
        self.year = year
        self.amount = amount
        self.limit = limit
    }
}

public enum AcceptOutcome: Sendable, Equatable {
    /// Newly stored with these filing ids.
    case accepted(filingIDs: [String])
    /// The same order number was accepted before; nothing was written again.
    case alreadyAccepted(filingIDs: [String])
}

/// A filing as the store holds it.
public struct FilingRecord: Sendable, Equatable {
    public var id: String
    public var orderNo: String
    public var kind: MessageKind
    public var status: FilingStatus
    public var payload: Data
    public var idempotencyKey: String
    /// Delivery attempts made so far.
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// Until when a dispatcher holds the filing (status `sending`).
    public var leaseUntil: Date?
    public var lastError: String?
    public var lastReturnStatus: String?
    public var lastReturnInfo: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Why it was filed (`declare` for the order's first filings).
    public var purpose: FilingPurpose
    /// The earlier filing this one amends or reverses, if any.
    public var supersedes: String?

    public init(
        id: String, orderNo: String, kind: MessageKind, status: FilingStatus, payload: Data, idempotencyKey: String,
        attempts: Int, nextAttemptAt: Date?, leaseUntil: Date?, lastError: String?, lastReturnStatus: String?,
        lastReturnInfo: String?, createdAt: Date, updatedAt: Date, purpose: FilingPurpose = .declare,
        supersedes: String? = nil
    ) {
        self.purpose = purpose
        self.supersedes = supersedes
        self.id = id
        self.orderNo = orderNo
        self.kind = kind
        self.status = status
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseUntil = leaseUntil
        self.lastError = lastError
        self.lastReturnStatus = lastReturnStatus
        self.lastReturnInfo = lastReturnInfo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One delivery attempt, kept for the record.
public struct AttemptRecord: Sendable, Equatable {
    public var filingID: String
    public var number: Int
    public var startedAt: Date
    public var httpStatus: Int?
    public var latencyMilliseconds: Double
    /// Transport or gateway error, if the attempt failed. Never holds payload bytes.
    public var error: String?
    /// Hex SHA-256 of the exact request body posted (the audit trail's digest);
    /// nil = the filing's own digest (its idempotency key) stands for it.
    public var requestDigest: String?

    public init(
        filingID: String, number: Int, startedAt: Date, httpStatus: Int?, latencyMilliseconds: Double, error: String?,
        requestDigest: String? = nil
    ) {
        self.requestDigest = requestDigest
        self.filingID = filingID
        self.number = number
        self.startedAt = startedAt
        self.httpStatus = httpStatus
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
    }
}

/// What a delivery attempt leads to, decided by the filing lifecycle.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The gateway took it: status becomes `delivered`.
    case delivered
    /// Try again at this time: status back to `queued`.
    case retry(at: Date, error: String)
    /// Give up: status `dead`, error kept.
    case dead(error: String)
}

/// A receipt as received, parsed enough to match it.
public struct ReceiptRecord: Sendable, Equatable {
    public var kind: ReceiptKind
    /// guid of the message it answers (our filing id).
    public var messageGuid: String
    /// orderNo, logisticsNo or copNo, as the receipt states it.
    public var businessNo: String
    public var returnStatus: String
    public var returnInfo: String
    /// returnTime as sent (yyyyMMddHHmmssSSS, Beijing time).
    public var returnTime: String
    /// The exact bytes received (the whole message, which may hold several receipts).
    public var raw: Data
    public var receivedAt: Date
    /// "http" or "inbox".
    public var channel: String
    /// The inventory number customs assigned (CEB622 `invtNo`), which its tax bill (CEB816) names.
    public var invtNo: String?
    /// The customs declaration number (CEB792 `entryId`) a summary result carries.
    public var entryId: String?

    public init(kind: ReceiptKind, messageGuid: String, businessNo: String, returnStatus: String, returnInfo: String, returnTime: String, raw: Data, receivedAt: Date, channel: String, invtNo: String? = nil, entryId: String? = nil) {
        self.invtNo = invtNo
        self.entryId = entryId
        self.kind = kind
        self.messageGuid = messageGuid
        self.businessNo = businessNo
        self.returnStatus = returnStatus
        self.returnInfo = returnInfo
        self.returnTime = returnTime
        self.raw = raw
        self.receivedAt = receivedAt
        self.channel = channel
    }
}

/// What applying a receipt did.
public enum ReceiptEffect: Sendable, Equatable {
    /// The filing moved from one status to another.
    case advanced(filingID: String, from: FilingStatus, to: FilingStatus)
    /// Kept in the history, status unchanged (duplicate, late or out of order).
    case recordedOnly(filingID: String, status: FilingStatus)
    /// No filing has that guid: kept, marked unmatched, reported.
    case unmatched
}

/// A stored receipt, for status and history output.
public struct StoredReceipt: Sendable, Equatable {
    public var id: Int64
    public var filingID: String?
    public var kind: ReceiptKind
    public var returnStatus: String
    public var returnInfo: String
    public var returnTime: String
    public var receivedAt: Date
    public var channel: String
    public var moved: Bool

    public init(id: Int64, filingID: String?, kind: ReceiptKind, returnStatus: String, returnInfo: String, returnTime: String, receivedAt: Date, channel: String, moved: Bool) {
        self.id = id
        self.filingID = filingID
        self.kind = kind
        self.returnStatus = returnStatus
        self.returnInfo = returnInfo
        self.returnTime = returnTime
        self.receivedAt = receivedAt
        self.channel = channel
        self.moved = moved
    }
}

/// The durable store behind every stage: orders, the filing outbox, attempts
/// and receipts. SQLite (`SQLiteFilingStore`) is the embedded default;
/// PostgreSQL comes later with the same protocol.
public protocol FilingStore: Sendable {
    /// Stores the order, its filings (status `queued`, due now) and the buyer's
    /// allowance use in one transaction. Throws `YidanError(.notEligible)` if the
    /// allowance would go over its limit; nothing is written then.
    func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome

    /// Adds filings (status `queued`, due at `at`) to an order accepted
    /// earlier — an amendment, a cancel, a return and their tax/FX reversals —
    /// and adjusts the buyer's allowance by `allowanceDelta` (negative on a
    /// return: the annual total is restored; never below zero), in one
    /// transaction. Throws `YidanError(.notFound)` for an unknown order,
    /// `.notEligible` if a positive delta would go over the limit, and
    /// `.duplicate` if a filing id or idempotency key is already stored;
    /// nothing is written then.
    func appendFilings(orderNo: String, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws

    /// An amendment (`FilingVersions`): replaces the order's JSON with the
    /// amended order, adds its new versions (as `appendFilings`) and moves the
    /// buyer's allowance by the change in dutiable value, in one transaction,
    /// with the errors of `appendFilings`.
    func amendOrder(orderNo: String, orderJSON: Data, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws

    /// The exact bytes of every receipt matched to a filing, oldest first: a
    /// cancel or return reads customs' inventory number (invtNo, preNo) from them.
    func receiptPayloads(filingID: String) async throws -> [Data]

    /// The buyer's allowance already used in a year.
    func allowanceUsed(buyerKey: String, year: Int) async throws -> Decimal

    /// Claims up to `limit` filings that are due (`queued` with nextAttemptAt <= now,
    /// or `sending` whose lease has run out, leaseUntil <= now), sets them `sending`
    /// with a lease until now + lease, increments nothing yet, and returns them,
    /// oldest first (by nextAttemptAt, then creation).
    func claimDue(now: Date, limit: Int, lease: Duration) async throws -> [FilingRecord]

    /// `claimDue` with a cap per authority (circuit breakers, concurrency and
    /// rate limits): at most `limits[a]` filings of authority `a`'s kinds, none
    /// of an authority not in `limits`; one transaction.
    func claimDue(now: Date, limits: [Authority: Int], lease: Duration) async throws -> [FilingRecord]

    /// `nextDueTime()` over the filings of these authorities only (the others are held).
    func nextDueTime(authorities: Set<Authority>) async throws -> Date?

    /// Records one attempt and its outcome in one transaction (attempts += 1).
    func completeAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date) async throws

    /// Stores the receipt and, inside the same transaction, asks `decide` (the
    /// pure lifecycle) which status the matched filing moves to, if any.
    func applyReceipt(_ receipt: ReceiptRecord, decide: @escaping @Sendable (FilingRecord) -> FilingStatus?) async throws -> ReceiptEffect

    /// Earliest time `claimDue` will find work, if any (for the dispatcher to sleep
    /// until): the first `queued` filing's nextAttemptAt or the first `sending`
    /// filing's leaseUntil (a crashed dispatcher's claim), whichever is earlier.
    func nextDueTime() async throws -> Date?

    func filing(id: String) async throws -> FilingRecord?
    func filings(orderNo: String) async throws -> [FilingRecord]
    func filings(status: FilingStatus?, limit: Int) async throws -> [FilingRecord]
    func attempts(filingID: String) async throws -> [AttemptRecord]
    func receipts(filingID: String) async throws -> [StoredReceipt]
    func unmatchedReceipts(limit: Int) async throws -> [StoredReceipt]
    func orderJSON(orderNo: String) async throws -> Data?
    /// The order whose inventory customs numbered `invtNo` (from its CEB622 receipts), if any.
    func orderNo(forInvtNo invtNo: String) async throws -> String?
    /// The customs declaration number (CEB792 `entryId`) recorded for an order's summary, if any.
    func entryId(orderNo: String) async throws -> String?
    /// Stores a customs tax bill and its reconciliation outcome (kept even when no order matched).
    func recordTaxBill(_ bill: TaxBillRecord) async throws
    /// The tax bills stored for an order, oldest first.
    func taxBills(orderNo: String) async throws -> [TaxBillRecord]
    /// Tax bills whose inventory matched no order, newest first.
    func unmatchedTaxBills(limit: Int) async throws -> [TaxBillRecord]
    /// Number of filings per status.
    func statusCounts() async throws -> [FilingStatus: Int]
}
