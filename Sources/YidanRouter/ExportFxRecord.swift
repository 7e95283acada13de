import Foundation
public import Logging
import YidanCore
import YidanMapping
public import YidanRates
import YidanSigning
import YidanStore

/// The FX administration's balance-of-payments record of an export's money
/// flowing in (`FX-EXPORT`, `Mappings/authorities/FX-EXPORT.yaml`), filed once
/// per order on the same schedule as the export tax record (`ExportTaxRecord`):
/// - statisticsFlag A: when the four export declarations are final; no
///   `declarationNo`;
/// - statisticsFlag B: once the CEB792 brought the `entryId`, carried as the
///   record's `declarationNo`.
/// The amount stays in the order's currency (= the CEB403 `charge`); its RMB
/// amount needs a rate from the merchant's rate files (`YidanEnvironment.exchangeRates`,
/// `--rates`). Without rates, or without a rate for the order's currency and
/// date, the record is not filed and the reason is logged (once per receipt
/// that would have made it due). Its guid is derived from the inventory filing.
public struct ExportFxRecord: Sendable {
    let intake: OrderIntake
    let rates: ExchangeRates?
    let logger: Logger

    public init(intake: OrderIntake, rates: ExchangeRates?, logger: Logger = Logger(label: "yidan.export-fx")) {
        self.intake = intake
        self.rates = rates
        self.logger = logger
    }

    /// Files the record if it is due; returns its filing id, or nil when nothing is due
    /// (or when it cannot be filed for want of a rate, which is logged).
    @discardableResult
    public func fileIfDue(orderNo: String) async throws -> String? {
        try await fileIfDue(ExportFollowUpFiling.Snapshot.read(orderNo: orderNo, store: intake.store))
    }

    func fileIfDue(_ snapshot: ExportFollowUpFiling.Snapshot) async throws -> String? {
        let store = intake.store
        let orderNo = snapshot.orderNo
        guard !snapshot.has(.fxExport), let (order, _, inventory, entryId) = try await snapshot.dueForAuthorityRecords(store: store) else {
            return nil
        }
        // The intake checked the rate at accept; a process running without it
        // (yidan run without --rates) says so loudly instead of skipping the record.
        let converted: ConvertedAmount
        do {
            converted = try OrderIntake.exportPaymentInRMB(order, rates: rates ?? intake.exchangeRates)
        } catch let failure as ValidationFailure {
            throw YidanError(.configuration, "export FX record of order \(orderNo) cannot be filed: " + failure.issues.map(\.rule).joined(separator: "; "))
        }
        let rate = FilingExchangeRate(
            rmbAmount: converted.cny, rate: converted.rate.rate, rateDate: converted.rate.rateDate, source: converted.rate.source
        )

        let guid = ExportSummary.derivedGuid("FX-EXPORT:\(inventory.id)")
        let now = intake.clock()
        let document = try intake.catalog.makeAuthorityFiling(
            .fxExport, order: order, tax: .none, annualBefore: 0, declarationNo: entryId, exchangeRate: rate, guid: guid, now: now
        )
        try XMLSignature.signEnveloped(document, with: intake.signer)
        return try await ExportFollowUpFiling.append(
            document, id: guid, kind: .fxExport, problems: intake.catalog.validate(document, authorityFiling: .fxExport),
            orderNo: orderNo, supersedes: inventory.id, store: store, at: now.instant
        )
    }
}
