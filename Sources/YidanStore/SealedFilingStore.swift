public import Foundation
public import YidanCore

/// Any `FilingStore` with personal data encrypted at rest.
///
/// Orders' JSON and filings' signed bytes are sealed (`PersonalDataSealer`)
/// before they reach the backend and opened when read back, so SQLite files,
/// PostgreSQL tables, their backups and WAL segments never hold a buyer's
/// name, ID number, phone or address in the clear, while the bytes posted to
/// customs — read back through this store — are the real ones. Everything
/// else (statuses, receipts, digests, idempotency keys) passes through.
public struct SealedFilingStore: FilingStore {
    public let base: any FilingStore
    public let sealer: PersonalDataSealer

    public init(base: any FilingStore, sealer: PersonalDataSealer) {
        self.base = base
        self.sealer = sealer
    }

    static func orderContext(_ orderNo: String) -> String { "order:\(orderNo)" }
    static func filingContext(_ id: String) -> String { "filing:\(id)" }

    func sealed(_ filings: [PreparedFiling]) throws -> [PreparedFiling] {
        try filings.map { filing in
            var copy = filing
            copy.payload = try sealer.seal(filing.payload, context: Self.filingContext(filing.id))
            return copy
        }
    }

    func opened(_ record: FilingRecord) throws -> FilingRecord {
        var copy = record
        copy.payload = try sealer.open(record.payload, context: Self.filingContext(record.id))
        return copy
    }

    // MARK: - Writes that carry personal data

    public func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome {
        var copy = submission
        copy.orderJSON = try sealer.seal(submission.orderJSON, context: Self.orderContext(submission.orderNo))
        copy.filings = try sealed(submission.filings)
        return try await base.accept(copy)
    }

    public func appendFilings(orderNo: String, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await base.appendFilings(orderNo: orderNo, filings: try sealed(filings), allowanceDelta: allowanceDelta, at: at)
    }

    public func amendOrder(orderNo: String, orderJSON: Data, filings: [PreparedFiling], allowanceDelta: AllowanceUse?, at: Date) async throws {
        try await base.amendOrder(
            orderNo: orderNo, orderJSON: try sealer.seal(orderJSON, context: Self.orderContext(orderNo)),
            filings: try sealed(filings), allowanceDelta: allowanceDelta, at: at
        )
    }

    // MARK: - Reads that carry personal data

    public func claimDue(now: Date, limit: Int, lease: Duration) async throws -> [FilingRecord] {
        try await base.claimDue(now: now, limit: limit, lease: lease).map(opened)
    }

    public func claimDue(now: Date, limits: [Authority: Int], lease: Duration) async throws -> [FilingRecord] {
        try await base.claimDue(now: now, limits: limits, lease: lease).map(opened)
    }

    public func filing(id: String) async throws -> FilingRecord? {
        try await base.filing(id: id).map(opened)
    }

    public func filings(orderNo: String) async throws -> [FilingRecord] {
        try await base.filings(orderNo: orderNo).map(opened)
    }

    public func filings(status: FilingStatus?, limit: Int) async throws -> [FilingRecord] {
        try await base.filings(status: status, limit: limit).map(opened)
    }

    public func orderJSON(orderNo: String) async throws -> Data? {
        guard let stored = try await base.orderJSON(orderNo: orderNo) else { return nil }
        return try sealer.open(stored, context: Self.orderContext(orderNo))
    }

    public func applyReceipt(_ receipt: ReceiptRecord, decide: @escaping @Sendable (FilingRecord) -> FilingStatus?) async throws -> ReceiptEffect {
        let sealer = self.sealer
        return try await base.applyReceipt(receipt) { record in
            // The lifecycle decides from status and kind; it sees the real bytes all the same.
            var copy = record
            if let opened = try? sealer.open(record.payload, context: Self.filingContext(record.id)) {
                copy.payload = opened
            }
            return decide(copy)
        }
    }

    // MARK: - Pass-through

    public func receiptPayloads(filingID: String) async throws -> [Data] { try await base.receiptPayloads(filingID: filingID) }
    public func allowanceUsed(buyerKey: String, year: Int) async throws -> Decimal {
        try await base.allowanceUsed(buyerKey: buyerKey, year: year)
    }
    public func completeAttempt(_ attempt: AttemptRecord, outcome: DeliveryOutcome, now: Date) async throws {
        try await base.completeAttempt(attempt, outcome: outcome, now: now)
    }
    public func nextDueTime() async throws -> Date? { try await base.nextDueTime() }
    public func nextDueTime(authorities: Set<Authority>) async throws -> Date? {
        try await base.nextDueTime(authorities: authorities)
    }
    public func attempts(filingID: String) async throws -> [AttemptRecord] { try await base.attempts(filingID: filingID) }
    public func receipts(filingID: String) async throws -> [StoredReceipt] { try await base.receipts(filingID: filingID) }
    public func unmatchedReceipts(limit: Int) async throws -> [StoredReceipt] { try await base.unmatchedReceipts(limit: limit) }
    public func orderNo(forInvtNo invtNo: String) async throws -> String? { try await base.orderNo(forInvtNo: invtNo) }
    public func entryId(orderNo: String) async throws -> String? { try await base.entryId(orderNo: orderNo) }
    public func recordTaxBill(_ bill: TaxBillRecord) async throws { try await base.recordTaxBill(bill) }
    public func taxBills(orderNo: String) async throws -> [TaxBillRecord] { try await base.taxBills(orderNo: orderNo) }
    public func unmatchedTaxBills(limit: Int) async throws -> [TaxBillRecord] { try await base.unmatchedTaxBills(limit: limit) }
    public func statusCounts() async throws -> [FilingStatus: Int] { try await base.statusCounts() }
}

extension SealedFilingStore {
    /// The embedded default: an SQLite file whose personal data is sealed with
    /// the key from `YIDAN_DATA_KEY` / `YIDAN_DATA_KEY_FILE`, or else from the
    /// key file beside it (`PATH.key`, created on first use, mode 0600).
    public static func sqlite(path: String, keyFile: String? = nil) throws -> SealedFilingStore {
        // The store first: opening it creates its folder, where the key file goes.
        let base = try SQLiteFilingStore(path: path)
        let keys = try DataKeyRing.load(explicitFile: keyFile, defaultFile: URL(fileURLWithPath: path + ".key"))
        return SealedFilingStore(base: base, sealer: PersonalDataSealer(keys: keys))
    }

    /// The store's own SQLite store, if it is one (for parts that open
    /// further tables in the same file).
    public var sqliteBase: SQLiteFilingStore? { base as? SQLiteFilingStore }
}
