import Foundation
import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanStore

/// The tax authority's no-invoice exemption record of an export (`TAX-EXPORT`,
/// `Mappings/authorities/TAX-EXPORT.yaml`), filed once per order when customs
/// is done with it:
/// - statisticsFlag A: when the four export declarations are final (CEB603
///   released); the record has no `entryId` (a simplified declaration is never
///   summarised into a customs declaration);
/// - statisticsFlag B: when the CEB792 result has brought the `entryId`
///   (the CEB701 concluded); the record carries it.
/// Its guid is derived from the inventory filing, so it is never filed twice.
public struct ExportTaxRecord: Sendable {
    let intake: OrderIntake

    public init(intake: OrderIntake) {
        self.intake = intake
    }

    /// Files the record if it is due; returns its filing id, or nil when nothing is due.
    @discardableResult
    public func fileIfDue(orderNo: String) async throws -> String? {
        try await fileIfDue(ExportFollowUpFiling.Snapshot.read(orderNo: orderNo, store: intake.store))
    }

    func fileIfDue(_ snapshot: ExportFollowUpFiling.Snapshot) async throws -> String? {
        let store = intake.store
        let orderNo = snapshot.orderNo
        guard !snapshot.has(.taxExport), let (order, _, inventory, entryId) = try await snapshot.dueForAuthorityRecords(store: store) else {
            return nil
        }
        guard let invtNo = try await OrderChanges(intake: intake).inventoryNumbers(filingID: inventory.id).invtNo else {
            throw YidanError(.notEligible, "cannot file the export tax record of order \(orderNo): its CEB604 receipts carry no invtNo")
        }

        let guid = ExportSummary.derivedGuid("TAX-EXPORT:\(inventory.id)")
        let now = intake.clock()
        let document = try intake.catalog.makeAuthorityFiling(
            .taxExport, order: order, tax: .none, annualBefore: 0, declarationNo: entryId, inventoryNo: invtNo, guid: guid, now: now
        )
        try XMLSignature.signEnveloped(document, with: intake.signer)
        return try await ExportFollowUpFiling.append(
            document, id: guid, kind: .taxExport, problems: intake.catalog.validate(document, authorityFiling: .taxExport),
            orderNo: orderNo, supersedes: inventory.id, store: store, at: now.instant
        )
    }
}
