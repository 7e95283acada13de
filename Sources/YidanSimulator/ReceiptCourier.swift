import Foundation
import Logging
import YidanCore
import YidanDispatch
import YidanMapping

/// Plays out the receipts of applied messages, one job per message: waits a
/// step between receipts on the injected clock, holds an inventory until its
/// three-document match succeeds or the window closes, then delivers each
/// receipt to the inbox folder and/or the callback URL.
struct ReceiptCourier: Sendable {
    var core: GatewayCore
    var clock: any Clock<Duration>
    var stepDelay: Duration
    var matchWindowSteps: Int
    var inboxDirectory: URL?
    var callbackURL: URL?
    var callbackAttempts: Int
    var gatewayDxpId: String
    var http: CurlHTTPClient
    var now: @Sendable () -> Date
    var logger: Logger
    /// Rates for the tax bill (CEB816) after a release; nil sends none.
    var taxRates: TaxRateTable? = nil

    /// Runs one job to its end; cancellation (simulator stopping) ends it early.
    func run(_ job: ReceiptJob) async {
        do {
            try await perform(job)
        } catch {
            logger.debug("receipt job ended early", metadata: ["guid": "\(job.declared.guid)"])
        }
        await core.jobFinished()
    }

    private func perform(_ job: ReceiptJob) async throws {
        let declared = job.declared
        switch job.plan {
        case .refused(let step):
            try await pause()
            try await deliver(step, for: job)
        case .accepted where declared.isInventoryChange:
            try await runChange(job)  // InventoryChanges.swift
        case .accepted where declared.kind == .ceb701:
            try await runSummary(job)  // ExportSummaries.swift
        case .accepted where !declared.isInventory:
            let outOfOrder = await core.faultPlan().outOfOrderReceipts
            for step in ReceiptScript.deliveryOrder(ReceiptScript.afterAcceptance(of: declared.kind, guid: declared.guid), outOfOrder: outOfOrder) {
                try await pause()
                try await deliver(step, for: job)
            }
        case .accepted:
            try await runInventory(job)
        }
    }

    /// 2 at once, then the match gate: 120, 399, 800 or, after the window, 100.
    private func runInventory(_ job: ReceiptJob) async throws {
        let declared = job.declared
        let day = ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        let serial = await core.nextDocumentNumber()
        let preNo = "B" + day.format("yyyyMMdd") + Self.digits(serial, 9)
        let customs = declared["customsCode"].flatMap { $0.count == 4 ? $0 : nil } ?? "0000"
        let isExport = declared.kind.direction == .export
        let invtNo = customs + day.format("yyyy") + (isExport ? "E" : "I") + Self.digits(serial, 9)
        // Every CEB604 carries the inventory number (ceb-export.xsd); a CEB622 only once stored.
        let earlyInvtNo = isExport ? invtNo : nil
        try await pause()
        try await deliver(ReceiptScript.declaring(declared.guid), for: job, preNo: preNo, invtNo: earlyInvtNo)
        var checks = 0
        while true {
            switch await core.matchInventory(declared) {
            case .matched:
                await core.noteReleased(declared, invtNo: invtNo, at: now())  // cancels and returns: InventoryChanges.swift
                let outOfOrder = await core.faultPlan().outOfOrderReceipts
                for step in ReceiptScript.deliveryOrder(ReceiptScript.afterAcceptance(of: declared.kind, guid: declared.guid), outOfOrder: outOfOrder) {
                    try await pause()
                    try await deliver(step, for: job, preNo: preNo, invtNo: invtNo)
                }
                try await issueTaxBill(for: job, invtNo: invtNo)
                return
            case .unmatched(let problems):
                checks += 1
                try await pause()
                if checks > matchWindowSteps {
                    await core.noteRejection()
                    try await deliver(ReceiptScript.unmatched(problems, guid: declared.guid), for: job, preNo: preNo, invtNo: earlyInvtNo)
                    return
                }
            }
        }
    }

    private func pause() async throws {
        try await clock.sleep(for: stepDelay)
    }

    func deliver(_ step: ReceiptStep, for job: ReceiptJob, preNo: String? = nil, invtNo: String? = nil) async throws {
        let kind = job.declared.kind.receiptKind
        let receipt = ReceiptDocument(
            kind: kind, receiptGuid: UUID().uuidString.uppercased(), declared: job.declared, step: step,
            returnTime: ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds),
            preNo: preNo, invtNo: invtNo
        )
        let bytes = receipt.xml()
        try await deliverCopies(
            of: bytes, kind: kind, receiptGuid: receipt.receiptGuid, messageGuid: job.declared.guid, returnStatus: step.returnStatus,
            callbackBody: {
                DxpEnvelope(
                    copMsgId: receipt.receiptGuid, senderId: gatewayDxpId, receiverIds: [job.senderId],
                    createTime: receipt.returnTime, msgType: kind.rootElement, data: bytes
                ).xml()
            }
        )
    }

    /// The one delivery path of customs and authority receipts: each copy (two
    /// under the duplicate-receipts fault) takes the next sequence number, is
    /// written to the inbox as `<kind>_<message guid>_<seq>.xml` and/or POSTed
    /// to the callback as `callbackBody()`, and counts as sent only when every
    /// channel took it. `callbackBody` runs only when there is a callback URL.
    func deliverCopies(
        of bytes: Data, kind: ReceiptKind, receiptGuid: String, messageGuid: String, returnStatus: String,
        callbackBody: () -> Data
    ) async throws {
        let copies = await core.faultPlan().duplicateReceipts ? 2 : 1
        for _ in 0..<copies {
            try Task.checkCancellation()
            let sequence = await core.nextSequence()
            var failed = false
            if let inboxDirectory {
                let name = "\(kind.rawValue)_\(messageGuid)_\(Self.digits(sequence, 6)).xml"
                do {
                    try Self.writeAtomically(bytes, named: name, in: inboxDirectory)
                } catch {
                    failed = true
                    logger.error("cannot write receipt to the inbox", metadata: ["file": "\(name)"])
                }
            }
            if let callbackURL {
                if try await !post(callbackBody(), to: callbackURL) { failed = true }
            }
            if failed {
                await core.recordDeliveryFailure()
            } else {
                await core.recordSent(SentReceipt(
                    receiptKind: kind.rawValue, receiptGuid: receiptGuid, messageGuid: messageGuid,
                    returnStatus: returnStatus, sequence: sequence
                ))
            }
        }
    }

    /// Posts a receipt envelope, retrying failures with a growing pause.
    func post(_ body: Data, to url: URL) async throws -> Bool {
        for attempt in 1...max(1, callbackAttempts) {
            do {
                let response = try await http.post(url: url.absoluteString, body: body, headers: [("Content-Type", "application/xml")])
                if (200..<300).contains(response.status) { return true }
                logger.warning("receipt callback refused", metadata: ["status": "\(response.status)", "attempt": "\(attempt)"])
            } catch {
                logger.warning("receipt callback failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
            }
            if attempt < callbackAttempts {
                try await clock.sleep(for: stepDelay * attempt)
            }
        }
        return false
    }

    /// Writes under a dot-name ending in `.part`, then renames: a reader
    /// watching for `*.xml` never sees half a receipt.
    static func writeAtomically(_ bytes: Data, named name: String, in directory: URL) throws {
        // The name carries a guid read from a declared message: never let it leave the inbox.
        guard !name.hasPrefix("."), !name.contains("/"), !name.contains("\u{0}") else {
            throw YidanError(.receipt, "refusing to write a receipt file whose name is not a plain file name")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString).part")
        let final = directory.appendingPathComponent(name)
        try bytes.write(to: temporary)
        guard rename(temporary.path, final.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw YidanError(.receipt, "cannot move a receipt into the inbox (errno \(errno))")
        }
    }

    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? String(text.suffix(width)) : String(repeating: "0", count: width - text.count) + text
    }
}
