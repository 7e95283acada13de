import Foundation
public import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanStore
import YidanXML
import YidanRates

extension OrderIntake {
    /// What one accepted export order files: the four customs export
    /// declarations. The tax authority's no-invoice exemption record and the
    /// FX inflow record follow once customs is done (`ExportSummaryFollowUp`).
    public static let exportFilings: [MessageKind] = MessageKind.exportDeclaration

    /// The export's payment in RMB for its FX record (FX-EXPORT), at the rate
    /// of the day the money arrived (CEB403 `accountingDate`; the payment time
    /// when unknown). An RMB order needs no rate. Checked at accept, so an
    /// order whose FX record could never be filed is refused up front rather
    /// than its record silently missing later: a `FieldIssue` on `/currency`.
    static func exportPaymentInRMB(_ order: NormalizedOrder, rates: ExchangeRates?) throws -> ConvertedAmount {
        let received = order.export?.receivedTime ?? order.payment.payTime
        do {
            return try (rates ?? ExchangeRates()).convert(order.payment.amount, from: order.currency, on: received)
        } catch let error as YidanError {
            let day = received.format("yyyy-MM-dd", inOffset: ZonedDateTime.beijingOffsetSeconds)
            let reason = rates == nil ? "no exchange rates were given (--rates FILE)" : error.message
            throw ValidationFailure(issues: [FieldIssue(
                pointer: "/currency", value: order.currency,
                rule: "an export paid in \(order.currency) needs its \(order.currency)→CNY rate of \(day) for the FX record: \(reason)"
            )])
        }
    }

    /// `prepare` for an order with `export` set: CEB303/403/505/603 mapped with
    /// `OrderTax.none` (exports carry no cross-border retail tax), each signed
    /// with the export placement (signature before `ExtendMessage`) and
    /// validated against `schemas/ceb-export.xsd`, then compared with
    /// `ExportFilingCheck`. Nothing is counted against a buyer's allowance, and
    /// amounts stay in the order's currency (customs takes export amounts in
    /// the transaction currency), so the import CNY rule does not apply.
    func prepareExport(_ order: NormalizedOrder) throws -> PreparedOrder {
        _ = try Self.exportPaymentInRMB(order, rates: exchangeRates)
        let now = clock()
        let documents = try buildExportFilings(order, now: now)
        try ExportFilingCheck().check(Dictionary(uniqueKeysWithValues: documents.map { ($0.kind, $0.document) }))
        let prepared = documents.map { built in
            let payload = built.document.serialized()
            return PreparedFiling(id: built.guid, kind: built.kind, payload: payload, idempotencyKey: Self.idempotencyKey(payload))
        }
        let submission = OrderSubmission(
            orderNo: order.orderNo, platform: order.platform,
            orderJSON: NormalizedOrderJSON.encode(order),
            filings: prepared, allowance: nil, acceptedAt: now.instant,
            merchant: order.enterprises.ebcCode, agent: order.enterprises.agentCode
        )
        return PreparedOrder(submission: submission, taxTotal: 0)
    }
}
