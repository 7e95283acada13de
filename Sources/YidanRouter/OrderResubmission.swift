import Foundation
public import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanStore
import YidanXML

/// What `resubmit` filed.
public struct OrderResubmissionReceipt: Sendable {
    public var orderNo: String
    /// The new versions, in filing order: kind, new guid, the refused version each supersedes.
    public var filings: [(kind: MessageKind, id: String, supersedes: String)]
}

/// Resubmission of a refused import order: `yidan resubmit ORDER`.
///
/// What it means: every latest version (`FilingVersions.latest`) of the
/// order's import filings that an authority refused (`rejected`) is built
/// again from the stored order, with today's mappings, tables and signing
/// key, and filed as a new version — a new guid, purpose `amend`,
/// `supersedes` naming the refused version — so the history keeps the refusal
/// and its receipts. The inventory (CEB621) goes again with its order,
/// payment or waybill unless customs already released it, since customs
/// matches it anew against them. A customs message says `appType` 1 when no
/// version of its kind was ever taken (customs has nothing to change) and 2
/// when an earlier version was. A refused tax or FX record is replaced by a
/// new record alone: the authority never recorded the refused one, so there
/// is nothing to reverse. The order itself and the buyer's allowance do not
/// change (to change the order, use `amend`).
///
/// Refused (`YidanError(.notEligible)`) for an export, for an order with a
/// cancel or return on file, and when no latest version was refused. A filing
/// refused in transport (`dead`, or returnStatus 4) needs no new version:
/// `retry` sends the same bytes again.
extension OrderChanges {
    public func resubmit(orderNo: String) async throws -> OrderResubmissionReceipt {
        let store = intake.store
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty, let json = try await store.orderJSON(orderNo: orderNo) else {
            throw YidanError(.notFound, "no accepted order \(orderNo)")
        }
        let order = try NormalizedOrderJSON.decode(json)
        guard !order.isExport else {
            throw YidanError(.notEligible, "order \(orderNo) is an export: resubmit applies to import orders only")
        }
        if let ended = filings.first(where: { ($0.kind == .ceb623 || $0.kind == .ceb625) && Self.isLive($0) }) {
            throw YidanError(
                .notEligible,
                "cannot resubmit order \(orderNo): it has a \(ended.kind.label) on file (\(ended.kind.rawValue) \(ended.id))"
            )
        }
        var refiled = Set(OrderIntake.importFilings.filter { FilingVersions.latest($0, in: filings)?.status == .rejected })
        guard !refiled.isEmpty else {
            throw YidanError(.notEligible, "nothing to resubmit for \(orderNo): no latest filing was refused")
        }
        if !refiled.isDisjoint(with: [.ceb311, .ceb411, .ceb511]),
            let inventory = FilingVersions.latest(.ceb621, in: filings), inventory.status != .released, inventory.status != .closed
        {
            refiled.insert(.ceb621)
        }

        // The order's tax as first computed: its allowance use is already counted.
        let now = clock()
        let year = order.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year
        let annualBefore = try await allowanceBefore(order, filings: filings, year: year).annualBefore
        let tax = try CompositeTax.compute(order: order, rates: intake.taxRates, annualUsedBefore: annualBefore)

        // Every filing is built, so the cross-filing check sees the whole set; only the refused ones are filed.
        // A customs number with a live version on file is re-declared as a change (appType 2).
        let documents = try intake.buildImportFilings(order, tax: tax, annualBefore: annualBefore, now: now) { kind in
            let taken = filings.contains { $0.kind == kind && ($0.purpose == .declare || $0.purpose == .amend) && Self.isLive($0) }
            return taken ? MappingCatalog.amendmentAppType : MappingCatalog.newDeclarationAppType
        }
        try CrossFilingCheck(catalog: intake.catalog).check(Dictionary(uniqueKeysWithValues: documents.map { ($0.kind, $0.document) }))

        var prepared: [PreparedFiling] = []
        for built in documents where refiled.contains(built.kind) {
            guard let latest = FilingVersions.latest(built.kind, in: filings) else { continue }
            let payload = built.document.serialized()
            prepared.append(PreparedFiling(
                id: built.guid, kind: built.kind, payload: payload, idempotencyKey: OrderIntake.idempotencyKey(payload),
                purpose: .amend, supersedes: latest.id
            ))
        }
        try await store.appendFilings(orderNo: orderNo, filings: prepared, allowanceDelta: nil, at: now.instant)
        return OrderResubmissionReceipt(
            orderNo: orderNo, filings: prepared.compactMap { filing in filing.supersedes.map { (filing.kind, filing.id, $0) } }
        )
    }
}
