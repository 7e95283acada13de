import Foundation
import YidanCore
import YidanMapping
import YidanIngest
import YidanSigning
import YidanStore
import YidanXML

/// Amendments of accepted export orders (CEB `appType` 2). The amended order
/// keeps the identities every amendment keeps (`identityIssues`) plus the
/// export's own: trade mode and statisticsFlag (they decide which filings the
/// order has) and its producer (`ownerCode`). Each export declaration whose
/// content changed is filed again as a new version (new guid, purpose
/// `amend`, `supersedes` the version before); the inventory (CEB603) is filed
/// again whenever the order, receipt of payment or waybill changed, as
/// customs matches it anew against them. Exports carry no tax and use no
/// allowance.
///
/// Refused once customs is done with the declarations and their follow-ups
/// are on file (the CEB701 summary, the export tax or FX record): those cite
/// the released inventory, so a change then is a new order.
extension OrderChanges {
    func amendExport(_ order: NormalizedOrder, previous: NormalizedOrder, filings: [FilingRecord]) async throws -> OrderAmendmentReceipt {
        let orderNo = order.orderNo
        if let followUp = filings.first(where: { [.ceb701, .taxExport, .fxExport].contains($0.kind) }) {
            throw YidanError(
                .notEligible,
                "cannot amend export order \(orderNo): customs is done with it and its \(followUp.kind.rawValue) is on file (\(followUp.id))"
            )
        }
        let issues = Self.exportIdentityIssues(amended: order, previous: previous)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        _ = try OrderIntake.exportPaymentInRMB(order, rates: intake.exchangeRates)

        let now = clock()
        let documents = try intake.buildExportFilings(order, now: now, appType: MappingCatalog.amendmentAppType)
        try ExportFilingCheck().check(Dictionary(uniqueKeysWithValues: documents.map { ($0.kind, $0.document) }))
        let changed = try Self.changedKinds(documents, filings: filings, inventory: .ceb603, matchedAgainst: [.ceb303, .ceb403, .ceb505])

        let prepared = documents.filter { changed.contains($0.kind) }.map { built in
            let payload = built.document.serialized()
            return PreparedFiling(
                id: built.guid, kind: built.kind, payload: payload, idempotencyKey: OrderIntake.idempotencyKey(payload),
                purpose: .amend, supersedes: FilingVersions.latest(built.kind, in: filings)?.id
            )
        }
        let unchanged = OrderIntake.exportFilings.filter { !changed.contains($0) }
        if !prepared.isEmpty {
            try await intake.store.amendOrder(
                orderNo: orderNo, orderJSON: NormalizedOrderJSON.encode(order), filings: prepared, allowanceDelta: nil, at: now.instant
            )
        }
        return OrderAmendmentReceipt(
            orderNo: orderNo, filings: prepared.map { ($0.kind, $0.id, $0.purpose, $0.supersedes) }, unchanged: unchanged,
            allowanceChange: 0, taxTotal: 0
        )
    }

    /// `identityIssues` and what only exports have: the trade mode and
    /// statisticsFlag decide the order's filings (a summary or not), the
    /// producer is who the tax exemption is for.
    static func exportIdentityIssues(amended: NormalizedOrder, previous: NormalizedOrder) -> [FieldIssue] {
        var issues = identityIssues(amended: amended, previous: previous)
        func keep(_ pointer: String, _ new: String?, _ old: String?) {
            guard new != old else { return }
            issues.append(FieldIssue(
                pointer: pointer, value: new,
                rule: "must stay as first declared (\(old ?? "none")): an amendment keeps the export's identities; file a new order instead"
            ))
        }
        keep("/tradeMode", amended.tradeMode.rawValue, previous.tradeMode.rawValue)
        keep("/export/statisticsFlag", amended.export?.statisticsFlag.rawValue, previous.export?.statisticsFlag.rawValue)
        keep("/export/ownerCode", amended.export?.ownerCode, previous.export?.ownerCode)
        return issues
    }
}
