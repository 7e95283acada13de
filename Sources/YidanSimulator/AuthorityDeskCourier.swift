import Foundation
import YidanCore
import YidanMapping

/// Plays out the receipts of tax and FX filings through the same channels as
/// the customs receipts: the inbox folder (`TAX-RECEIPT_<guid>_<seq>.xml`,
/// `FX-RECEIPT_…`) and/or the callback URL, where the receipt XML itself is
/// POSTed (customs receipts travel in a DxpMsg; these authorities use none).
extension ReceiptCourier {
    func run(_ job: AuthorityReceiptJob) async {
        do {
            try await perform(job)
        } catch {
            logger.debug("authority receipt job ended early", metadata: ["guid": "\(job.facts.guid)"])
        }
        await core.jobFinished()
    }

    /// Refused on arrival: the one receipt. Taken: 1, then the customs check —
    /// repeated each step while customs has not seen the order, for up to
    /// `matchWindowSteps` steps like the inventory match — then 2 or -3.
    /// With `outOfOrderReceipts`, 1 is held back and sent after the outcome.
    private func perform(_ job: AuthorityReceiptJob) async throws {
        let facts = job.facts
        let received = AuthorityScript.received(facts)
        switch job.plan {
        case .refused(let step):
            try await pause()
            try await deliver(step, for: facts)
        case .accepted:
            let outOfOrder = await core.faultPlan().outOfOrderReceipts
            if !outOfOrder {
                try await pause()
                try await deliver(received, for: facts)
            }
            let outcome = try await awaitOutcome(facts)
            if outcome.returnStatus != AuthorityScript.acceptedStatus {
                await core.noteAuthorityRejection(facts.kind)
            }
            for step in outOfOrder ? [outcome, received] : [outcome] {
                try await pause()
                try await deliver(step, for: facts)
            }
        }
    }

    private func awaitOutcome(_ facts: AuthorityFilingFacts) async throws -> ReceiptStep {
        var checks = 0
        while true {
            switch await core.reconcile(facts) {
            case .agrees:
                return AuthorityScript.accepted(facts)
            case .disagrees(let problems):
                return AuthorityScript.disagrees(problems, facts)
            case .notOnFile(let problems):
                checks += 1
                if checks > matchWindowSteps {
                    return AuthorityScript.disagrees(problems, facts)
                }
                try await pause()
            }
        }
    }

    private func pause() async throws {
        try await clock.sleep(for: stepDelay)
    }

    private func deliver(_ step: ReceiptStep, for facts: AuthorityFilingFacts) async throws {
        let kind = facts.kind.receiptKind
        let receipt = AuthorityReceiptDocument(
            receiptId: UUID().uuidString.uppercased(), facts: facts, step: step,
            returnTime: ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        )
        let bytes = receipt.xml()
        // These authorities take the receipt XML itself, no DxpMsg around it.
        try await deliverCopies(
            of: bytes, kind: kind, receiptGuid: receipt.receiptId, messageGuid: facts.guid, returnStatus: step.returnStatus,
            callbackBody: { bytes }
        )
    }
}
