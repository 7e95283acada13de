public import Foundation
public import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanStore
import YidanXML

/// What `amend` filed.
public struct OrderAmendmentReceipt: Sendable {
    public var orderNo: String
    /// The new versions (purpose `amend`) and the tax/FX reversals of the
    /// versions they replace, in filing order; empty when nothing changed.
    public var filings: [(kind: MessageKind, id: String, purpose: FilingPurpose, supersedes: String?)]
    /// The import filings whose content is the same as their latest version: not re-filed.
    public var unchanged: [MessageKind]
    /// How much the buyer's annual total moved (RMB; negative when the order got smaller).
    public var allowanceChange: Decimal
    public var taxTotal: Decimal
}

/// Amendments of accepted import orders (issue 4, "Changes over time":
/// CEB `appType` 2). The amended order keeps its identities — order number,
/// platform, e-commerce platform, payment transaction, waybill, buyer and
/// order year — and goes through tax, mapping and the cross-filing check
/// again. Each import filing whose content changed (ignoring guid, appTime,
/// appType and the signature) is filed again as a new version with a new
/// guid, purpose `amend` and `supersedes` naming the version before it. The
/// inventory (CEB621) is filed again whenever the order, payment or waybill
/// changed, since customs matches it anew against them. A changed tax or FX
/// filing is replaced by a reversal of the old one plus the new one, as the
/// authorities only know records and reversals (docs/filings.md). The buyer's
/// allowance moves by the change in dutiable value, checked against the limit.
/// Refused for an order with a cancel or return on file (not refused).
/// Exports are amended by `amendExport` (ExportAmendment.swift).
extension OrderChanges {
    public func amend(json: Data) async throws -> OrderAmendmentReceipt {
        try await amend(NormalizedOrderJSON.decode(json))
    }

    public func amend(_ order: NormalizedOrder) async throws -> OrderAmendmentReceipt {
        let store = intake.store
        let orderNo = order.orderNo
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty, let json = try await store.orderJSON(orderNo: orderNo) else {
            throw YidanError(.notFound, "no accepted order \(orderNo)")
        }
        let previous = try NormalizedOrderJSON.decode(json)
        guard previous.isExport == order.isExport else {
            throw YidanError(.notEligible, "order \(orderNo) was declared as an \(previous.isExport ? "export" : "import"): an amendment cannot change its direction")
        }
        if let ended = filings.first(where: { ($0.kind == .ceb623 || $0.kind == .ceb625) && Self.isLive($0) }) {
            throw YidanError(
                .notEligible,
                "cannot amend order \(orderNo): it has a \(ended.kind.label) on file (\(ended.kind.rawValue) \(ended.id), \(ended.status.rawValue))"
            )
        }
        let issues = Self.identityIssues(amended: order, previous: previous)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        if order.isExport { return try await amendExport(order, previous: previous, filings: filings) }  // ExportAmendment.swift

        // Tax as if this order's earlier allowance use were not counted yet.
        let now = clock()
        let year = order.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year
        let buyerKey = OrderIntake.buyerKey(order.buyer)
        let (earlierUse, annualBefore) = try await allowanceBefore(order, filings: filings, year: year)
        let tax = try CompositeTax.compute(order: order, rates: intake.taxRates, annualUsedBefore: annualBefore)
        try Self.checkPayment(order, tax: tax)

        // The customs messages say `appType` 2: a change of a declared business number.
        let documents = try intake.buildImportFilings(
            order, tax: tax, annualBefore: annualBefore, now: now, appType: { _ in MappingCatalog.amendmentAppType }
        )
        try CrossFilingCheck(catalog: intake.catalog).check(Dictionary(uniqueKeysWithValues: documents.map { ($0.kind, $0.document) }))
        let changed = try Self.changedKinds(documents, filings: filings, inventory: .ceb621, matchedAgainst: [.ceb311, .ceb411, .ceb511])

        var prepared: [PreparedFiling] = []
        for built in documents where changed.contains(built.kind) {
            let latest = FilingVersions.latest(built.kind, in: filings)
            if let latest, let authorityKind = AuthorityFilingKind(rawValue: built.kind.rawValue), Self.isLive(latest) {
                let reversalGuid = MessageGUID.make(now: now.instant)
                let reversal = try intake.catalog.makeReversal(of: latest.payload, kind: authorityKind, guid: reversalGuid, now: now)
                try XMLSignature.signEnveloped(reversal, with: intake.signer)
                let problems = intake.catalog.validate(reversal, authorityFiling: authorityKind)
                guard problems.isEmpty else {
                    throw YidanError(.schema, "\(built.kind.rawValue) reversal fails its schema: " + problems.map(\.description).joined(separator: "; "))
                }
                prepared.append(Self.prepared(reversal, id: reversalGuid, kind: built.kind, purpose: .reversal, supersedes: latest.id))
            }
            let payload = built.document.serialized()
            prepared.append(PreparedFiling(
                id: built.guid, kind: built.kind, payload: payload, idempotencyKey: OrderIntake.idempotencyKey(payload),
                purpose: .amend, supersedes: latest?.id
            ))
        }
        let unchanged = OrderIntake.importFilings.filter { !changed.contains($0) }
        let newUse = documents.first { $0.kind == .taxImport }.flatMap { Self.allowanceUse(in: $0.document) } ?? tax.dutiable
        guard !prepared.isEmpty else {
            return OrderAmendmentReceipt(orderNo: orderNo, filings: [], unchanged: unchanged, allowanceChange: 0, taxTotal: tax.total)
        }
        let change = newUse - earlierUse
        try await store.amendOrder(
            orderNo: orderNo, orderJSON: NormalizedOrderJSON.encode(order), filings: prepared,
            allowanceDelta: AllowanceUse(buyerKey: buyerKey, year: year, amount: change, limit: CompositeTax.annualLimit),
            at: now.instant
        )
        return OrderAmendmentReceipt(
            orderNo: orderNo, filings: prepared.map { ($0.kind, $0.id, $0.purpose, $0.supersedes) }, unchanged: unchanged,
            allowanceChange: change, taxTotal: tax.total
        )
    }

    /// This order's allowance use on file (its latest tax filing's) and the
    /// buyer's annual total before the order: what the store counts, less that use.
    func allowanceBefore(_ order: NormalizedOrder, filings: [FilingRecord], year: Int) async throws -> (earlierUse: Decimal, annualBefore: Decimal) {
        let latestTax = FilingVersions.latest(.taxImport, in: filings)
        let earlierUse = latestTax.flatMap { try? XMLDocument.parse($0.payload) }.flatMap(Self.allowanceUse(in:)) ?? 0
        let used = try await intake.store.allowanceUsed(buyerKey: OrderIntake.buyerKey(order.buyer), year: year)
        return (earlierUse, max(0, used - earlierUse))
    }

    /// The kinds whose newly built document says something else than the
    /// latest version on file (a kind never filed counts as changed), and the
    /// inventory when a document customs matches it against changed.
    static func changedKinds(
        _ documents: [BuiltFiling], filings: [FilingRecord], inventory: MessageKind, matchedAgainst: Set<MessageKind>
    ) throws -> Set<MessageKind> {
        var changed: Set<MessageKind> = []
        for built in documents {
            guard let latest = FilingVersions.latest(built.kind, in: filings) else {
                changed.insert(built.kind)
                continue
            }
            // contentKey edits the document it reads: give it copies.
            if try contentKey(XMLDocument.parse(latest.payload)) != contentKey(XMLDocument.parse(built.document.serialized())) {
                changed.insert(built.kind)
            }
        }
        if !changed.isDisjoint(with: matchedAgainst) { changed.insert(inventory) }
        return changed
    }

    /// The fields an amendment may not change: they are the business keys
    /// customs, the tax and the FX authorities file the order under, and the
    /// buyer and year whose allowance it uses. Changing one is a new order.
    static func identityIssues(amended: NormalizedOrder, previous: NormalizedOrder) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func keep(_ pointer: String, _ new: String, _ old: String, masked: Bool = false) {
            guard new != old else { return }
            issues.append(FieldIssue(
                pointer: pointer, value: masked ? nil : new,
                rule: "must stay as first declared" + (masked ? "" : " (\(old))") + ": an amendment keeps the order's identities; file a new order instead"
            ))
        }
        keep("/platform", amended.platform, previous.platform)
        keep("/enterprises/ebpCode", amended.enterprises.ebpCode, previous.enterprises.ebpCode)
        // The order's owner and its declaring agent: the store scopes merchants' and brokers' keys by them.
        keep("/enterprises/ebcCode", amended.enterprises.ebcCode, previous.enterprises.ebcCode)
        keep("/enterprises/agentCode", amended.enterprises.agentCode, previous.enterprises.agentCode)
        keep("/payment/transactionId", amended.payment.transactionId, previous.payment.transactionId)
        keep("/logistics/waybillNo", amended.logistics.waybillNo, previous.logistics.waybillNo)
        keep("/currency", amended.currency, previous.currency)
        keep("/buyer/idType", amended.buyer.idType, previous.buyer.idType)
        keep("/buyer/idNumber", amended.buyer.idNumber.uppercased(), previous.buyer.idNumber.uppercased(), masked: true)
        let year = { (order: NormalizedOrder) in String(order.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year) }
        keep("/orderTime", year(amended), year(previous))
        return issues
    }

    /// The payment must still add up (as on submit): goodsValue + freight + tax − discount.
    static func checkPayment(_ order: NormalizedOrder, tax: OrderTax) throws {
        let expected = order.goodsValue + order.freight + tax.total - order.discount
        guard order.payment.amount == expected else {
            throw ValidationFailure(issues: [FieldIssue(
                pointer: "/payment/amount", value: Money.format(order.payment.amount, minScale: 2),
                rule: "must equal goodsValue + freight + taxTotal − discount = \(Money.format(expected, minScale: 2)) (taxTotal \(Money.format(tax.total, minScale: 2)))"
            )])
        }
    }

    /// What a filing says, without what every version says differently: its
    /// guid (element or root attribute), appTime, appType and signature.
    /// Two versions with the same key need not be filed twice.
    static func contentKey(_ document: XMLDocument) throws -> Data {
        let volatile = "//*[local-name()='guid' or local-name()='appTime' or local-name()='appType' "
            + "or (local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#')]"
        for node in try document.select(volatile) { node.remove() }
        if let root = document.root, root.attribute("guid") != nil { root.setAttribute("guid", "") }
        return try document.canonicalized()
    }
}
