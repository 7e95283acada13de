import Crypto
import Foundation
public import YidanCore
import YidanIngest
import YidanMapping
public import Logging
public import YidanRates
public import YidanReceipts
import YidanSigning
import YidanStore

/// The summary declaration of a statisticsFlag B export (汇总申报): once every
/// export declaration of the order is final and good (CEB303/403/505 stored,
/// CEB603 released), yidan files a CEB701 summary request naming the
/// inventory by the number customs gave it (CEB604 `invtNo`); customs answers
/// CEB702 receipts and a CEB792 result whose `entryId` is stored with the
/// order (`FilingStore.entryId(orderNo:)`).
///
/// One CEB701 per order, filed automatically when the last receipt arrives
/// (`ExportSummaryFollowUp`), never a second time: its guid is derived from
/// the inventory filing, so two receipts finishing the order at once cannot
/// file two. A refused CEB701 is not refiled on its own. statisticsFlag A
/// exports (simplified declaration) are never summarised.
public struct ExportSummary: Sendable {
    let intake: OrderIntake

    public init(intake: OrderIntake) {
        self.intake = intake
    }

    /// Files the order's CEB701 if it is due; returns its filing id, or nil
    /// when nothing is due (not an export with flag B, not final yet, a
    /// declaration refused, or already filed).
    @discardableResult
    public func fileIfDue(orderNo: String) async throws -> String? {
        try await fileIfDue(ExportFollowUpFiling.Snapshot.read(orderNo: orderNo, store: intake.store))
    }

    func fileIfDue(_ snapshot: ExportFollowUpFiling.Snapshot) async throws -> String? {
        let store = intake.store
        let orderNo = snapshot.orderNo
        guard !snapshot.has(.ceb701), let (order, inventory) = snapshot.finished else { return nil }
        guard order.export?.statisticsFlag == .summary else { return nil }
        guard let invtNo = try await OrderChanges(intake: intake).inventoryNumbers(filingID: inventory.id).invtNo else {
            throw YidanError(.notEligible, "cannot summarise export order \(orderNo): its CEB604 receipts carry no invtNo")
        }

        let guid = Self.derivedGuid("CEB701:\(inventory.id)")
        let now = intake.clock()
        let document = try intake.catalog.makeSummaryFiling(order: order, summary: ExportSummaryInputs(invtNo: invtNo), guid: guid, now: now)
        try XMLSignature.signEnveloped(document, with: intake.signer, placement: .forCEB(document))
        return try await ExportFollowUpFiling.append(
            document, id: guid, kind: .ceb701, problems: intake.catalog.validate(document, kind: .ceb701),
            orderNo: orderNo, supersedes: inventory.id, store: store, at: now.instant
        )
    }

    /// A guid fixed by what it is derived from (kind + the inventory filing): the
    /// same order never gets two summaries or two export tax records.
    static func derivedGuid(_ seed: String) -> String {
        let bytes = Array(SHA256.hash(data: Data(seed.utf8)).prefix(16))
        let hex = bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined().uppercased()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

/// What follows an export's customs filings, started when a receipt finishes
/// one of them: the CEB701 summary (flag B, once the declarations are final)
/// and the export tax record (`ExportTaxRecord`: flag A then too, flag B once
/// the CEB792 concluded the summary); wakes the dispatcher so they leave at once.
public struct ExportSummaryFollowUp: ReceiptFollowUp {
    let summary: ExportSummary
    let taxRecord: ExportTaxRecord
    let fxRecord: ExportFxRecord
    let wake: @Sendable () -> Void

    public init(intake: OrderIntake, rates: ExchangeRates? = nil, logger: Logger = Logger(label: "yidan.export-fx"), wake: @escaping @Sendable () -> Void) {
        self.summary = ExportSummary(intake: intake)
        self.taxRecord = ExportTaxRecord(intake: intake)
        self.fxRecord = ExportFxRecord(intake: intake, rates: rates, logger: logger)
        self.wake = wake
    }

    public func filingAdvanced(filingID: String, to status: FilingStatus) async throws {
        guard let filing = try await summary.intake.store.filing(id: filingID),
              MessageKind.exportDeclaration.contains(filing.kind) || filing.kind == .ceb701, status == filing.kind.finalSuccess
        else { return }
        // One read of the order's filings for all three: filing the CEB701 cannot
        // make the records due in the same turn (flag B waits for its CEB792).
        let snapshot = try await ExportFollowUpFiling.Snapshot.read(orderNo: filing.orderNo, store: summary.intake.store)
        guard snapshot.finished != nil else { return }
        let summarised = try await summary.fileIfDue(snapshot) != nil
        let recorded = try await taxRecord.fileIfDue(snapshot) != nil
        if summarised || recorded { wake() }
        // Last, so a missing rate (reported by the error) never holds back the others.
        if try await fxRecord.fileIfDue(snapshot) != nil { wake() }  // ExportFxRecord.swift
    }
}
