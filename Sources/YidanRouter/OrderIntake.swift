public import Foundation
public import YidanCore
public import YidanStore
import YidanIngest
public import YidanMapping
public import YidanSigning
import YidanXML
public import YidanRates

/// What `submit` tells the merchant.
public struct SubmitReceipt: Sendable, Equatable {
    public var orderNo: String
    /// False when the same order number had been accepted before (nothing filed twice).
    public var isNew: Bool
    public var filings: [(kind: MessageKind, id: String)]
    public var taxTotal: Decimal

    public static func == (lhs: SubmitReceipt, rhs: SubmitReceipt) -> Bool {
        lhs.orderNo == rhs.orderNo && lhs.isNew == rhs.isNew && lhs.taxTotal == rhs.taxTotal
            && lhs.filings.map(\.id) == rhs.filings.map(\.id)
    }
}

/// An order mapped, signed and schema-checked, not yet stored (`OrderIntake.prepare`).
public struct PreparedOrder: Sendable {
    public var submission: OrderSubmission
    public var taxTotal: Decimal
}

/// Accepting one order end to end: ingest → eligibility and tax → map (4 CEB
/// messages, tax and FX filings) → sign → validate → cross-filing check →
/// one durable transaction. Once `submit` returns, the order and all
/// its filings are on disk (synchronous commit), so a crash loses nothing.
public struct OrderIntake: Sendable {
    public let store: any FilingStore
    let catalog: MappingCatalog
    let taxRates: TaxRateTable
    let signer: any Signer
    let clock: @Sendable () -> ZonedDateTime
    /// The merchant's exchange rates (`--rates`): a foreign-currency export is
    /// accepted only when they convert its payment to RMB (its FX record needs it).
    public var exchangeRates: ExchangeRates?

    public init(
        store: any FilingStore, mappings: MappingCatalog, taxRates: TaxRateTable, signer: any Signer,
        clock: @escaping @Sendable () -> ZonedDateTime = { ZonedDateTime.now() }
    ) {
        self.store = store
        self.catalog = mappings
        self.taxRates = taxRates
        self.signer = signer
        self.clock = clock
    }

    /// Files one order given as the project's normalized order JSON.
    /// Throws `ValidationFailure` (every problem, by JSON pointer) or `YidanError`.
    public func submit(json: Data) async throws -> SubmitReceipt {
        let order = try NormalizedOrderJSON.decode(json)
        return try await submit(order)
    }

    public func submit(_ order: NormalizedOrder) async throws -> SubmitReceipt {
        // Same order again: answer as the first time without mapping anything.
        if let existing = try await existingReceipt(orderNo: order.orderNo) { return existing }
        return try await accept(prepare(order))
    }

    /// What was filed for an order number already accepted; nil when it is new.
    public func existingReceipt(orderNo: String) async throws -> SubmitReceipt? {
        let existing = try await store.filings(orderNo: orderNo)
        guard !existing.isEmpty else { return nil }
        return SubmitReceipt(
            orderNo: orderNo, isNew: false,
            filings: Self.inFilingOrder(existing),
            taxTotal: try await storedTaxTotal(orderNo: orderNo)
        )
    }

    /// Everything `submit` does before writing: eligibility and tax (reading the
    /// buyer's allowance), mapping, signing and schema validation. Writes
    /// nothing, so `yidan ingest --dry-run` runs exactly this; `accept` stores
    /// the result. Throws `ValidationFailure` or `YidanError` like `submit`.
    public func prepare(_ order: NormalizedOrder) async throws -> PreparedOrder {
        // Exports file CEB303/403/505/603 only (OrderIntake+Export.swift).
        if order.isExport { return try prepareExport(order) }
        var issues: [FieldIssue] = []
        if order.currency != "CNY" {
            issues.append(FieldIssue(
                pointer: "/currency", value: order.currency,
                rule: "must be CNY: customs amounts are RMB and no exchange-rate source is configured"
            ))
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }

        let now = clock()
        let year = order.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year
        let buyerKey = Self.buyerKey(order.buyer)
        let used = try await store.allowanceUsed(buyerKey: buyerKey, year: year)
        let tax = try CompositeTax.compute(order: order, rates: taxRates, annualUsedBefore: used)

        let expectedPaid = order.goodsValue + order.freight + tax.total - order.discount
        if order.payment.amount != expectedPaid {
            throw ValidationFailure(issues: [FieldIssue(
                pointer: "/payment/amount", value: Money.format(order.payment.amount, minScale: 2),
                rule: "must equal goodsValue + freight + taxTotal − discount = \(Money.format(expectedPaid, minScale: 2)) (taxTotal \(Money.format(tax.total, minScale: 2)))"
            )])
        }

        // Build every filing first, check they agree, then serialize: nothing
        // is stored unless customs, tax and FX tell the same story.
        let documents = try buildImportFilings(order, tax: tax, annualBefore: used, now: now)
        try CrossFilingCheck(catalog: catalog).check(Dictionary(uniqueKeysWithValues: documents.map { ($0.kind, $0.document) }))
        let prepared = documents.map { built in
            let payload = built.document.serialized()
            return PreparedFiling(id: built.guid, kind: built.kind, payload: payload, idempotencyKey: Self.idempotencyKey(payload))
        }

        let submission = OrderSubmission(
            orderNo: order.orderNo, platform: order.platform,
            orderJSON: NormalizedOrderJSON.encode(order),
            filings: prepared,
            allowance: AllowanceUse(buyerKey: buyerKey, year: year, amount: tax.dutiable, limit: CompositeTax.annualLimit),
            acceptedAt: now.instant,
            merchant: order.enterprises.ebcCode, agent: order.enterprises.agentCode
        )
        return PreparedOrder(submission: submission, taxTotal: tax.total)
    }

    /// Stores a prepared order in one durable transaction (the buyer's
    /// allowance is re-checked atomically there).
    public func accept(_ prepared: PreparedOrder) async throws -> SubmitReceipt {
        let submission = prepared.submission
        let kinds = submission.filings.map(\.kind)
        switch try await store.accept(submission) {
        case let .accepted(ids):
            return SubmitReceipt(orderNo: submission.orderNo, isNew: true, filings: zip(kinds, ids).map { ($0, $1) }, taxTotal: prepared.taxTotal)
        case .alreadyAccepted:
            // Lost a race with a concurrent submit of the same order: report what is stored.
            let stored = try await store.filings(orderNo: submission.orderNo)
            return SubmitReceipt(orderNo: submission.orderNo, isNew: false, filings: Self.inFilingOrder(stored), taxTotal: prepared.taxTotal)
        }
    }

    /// What one accepted import order files, in this order: the four customs
    /// messages, then the tax authority's and the FX administration's filings.
    public static let importFilings: [MessageKind] = MessageKind.importDeclaration + [.taxImport, .fxPayment]

    static func inFilingOrder(_ filings: [FilingRecord]) -> [(kind: MessageKind, id: String)] {
        func position(_ kind: MessageKind) -> Int { importFilings.firstIndex(of: kind) ?? importFilings.count }
        return filings.sorted { (position($0.kind), $0.kind) < (position($1.kind), $1.kind) }.map { ($0.kind, $0.id) }
    }

    /// Lower-case hex SHA-256 of the exact bytes sent: the same content always
    /// has the same key, and different content can never share one.
    public static func idempotencyKey(_ payload: Data) -> String {
        AuditEntry.digest(payload)
    }

    /// The allowance is kept per buyer ID number; the number itself is never a key.
    static func buyerKey(_ buyer: Buyer) -> String {
        idempotencyKey(Data("yidan-buyer|\(buyer.idType)|\(buyer.idNumber.uppercased())".utf8))
    }

    private func storedTaxTotal(orderNo: String) async throws -> Decimal {
        guard let json = try await store.orderJSON(orderNo: orderNo),
              let order = try? NormalizedOrderJSON.decode(json)
        else { return 0 }
        return order.payment.amount - order.goodsValue - order.freight + order.discount
    }
}
