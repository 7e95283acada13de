import Foundation
import YidanCore
import YidanMapping

extension ReceiptCourier {
    /// The kind name of a tax bill in inbox file names and the simulator's counts.
    static let taxBillKind = "CEB816"

    /// After an inventory's release (800), customs issues its tax bill: a
    /// CEB816 computed from the declared lines, delivered like every receipt
    /// (inbox file `CEB816_<inventory guid>_<seq>.xml`, callback in a DxpMsg).
    /// Nothing is sent when the simulator has no tax-rate table, or when the
    /// inventory cannot be taxed (unreadable lines, goods without a rate).
    func issueTaxBill(for job: ReceiptJob, invtNo: String) async throws {
        // Only imports are taxed: an export inventory (CEB603) gets no bill.
        guard let taxRates, job.declared.kind == .ceb621 else { return }
        let inventory = job.declared
        guard let tax = TaxBillDocument.tax(of: inventory, rates: taxRates) else {
            logger.warning("no tax bill for a released inventory: its lines cannot be taxed", metadata: ["guid": "\(inventory.guid)"])
            return
        }
        try await clock.sleep(for: stepDelay)
        let returnTime = ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        let bill = TaxBillDocument(
            guid: UUID().uuidString.uppercased(), invtNo: invtNo, taxNo: invtNo + "_01", inventory: inventory, tax: tax,
            returnTime: returnTime, variance: await core.faultPlan().taxBillVariance
        )
        let bytes = bill.xml()
        let sequence = await core.nextSequence()
        var failed = false
        if let inboxDirectory {
            let name = "\(Self.taxBillKind)_\(inventory.guid)_\(Self.digits(sequence, 6)).xml"
            do {
                try Self.writeAtomically(bytes, named: name, in: inboxDirectory)
            } catch {
                failed = true
                logger.error("cannot write the tax bill to the inbox", metadata: ["file": "\(name)"])
            }
        }
        if let callbackURL {
            let envelope = DxpEnvelope(
                copMsgId: bill.guid, senderId: gatewayDxpId, receiverIds: [job.senderId],
                createTime: returnTime, msgType: "CEB816Message", data: bytes
            )
            if try await !post(envelope.xml(), to: callbackURL) { failed = true }
        }
        if failed {
            await core.recordDeliveryFailure()
        } else {
            await core.recordSent(SentReceipt(
                receiptKind: Self.taxBillKind, receiptGuid: bill.guid, messageGuid: inventory.guid,
                returnStatus: "1", sequence: sequence
            ))
        }
    }
}
