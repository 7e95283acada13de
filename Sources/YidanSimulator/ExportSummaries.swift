import Foundation
import YidanCore
import YidanMapping
import YidanXML

/// The summary declaration of exports (汇总申报), as the simulated customs
/// plays it: a CEB701 summary request lists released statisticsFlag B export
/// inventories of one consignor (ebcCode); customs answers CEB702 receipts
/// (2 declared, 120 entered with the summary number `sumNo`) and then a CEB792
/// summary result carrying the customs declaration number `entryId`
/// (18 digits: customs office, year, 1 = export, 9-digit serial).
///
/// Refusals (one CEB702): -701001 the request lists no inventory; -701002 an
/// inventory is unknown or not released; -701003 it is not statisticsFlag B;
/// -701004 it belongs to another consignor; -701005 it was already summarised.
extension DeclaredMessage {
    static func summaryLayout(of kind: MessageKind) -> (wrapper: String, head: String, list: String?)? {
        kind == .ceb701 ? ("SummaryApply", "SummaryApplyHead", "SummaryApplyList") : nil
    }

    /// The invtNo of every `SummaryApplyList`, space-separated (kept as the `invtNos` field).
    static func summaryInventoryNumbers(in wrapper: XMLNode) -> String {
        wrapper.children("SummaryApplyList", namespaceURI: cebNamespace)
            .compactMap { $0.firstChild("invtNo", namespaceURI: cebNamespace)?.trimmedText }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    var summaryInventoryNumbers: [String] {
        (self["invtNos"] ?? "").split(separator: " ").map(String.init)
    }
}

/// One released inventory as the summary result lists it.
struct SummarisedInventory: Sendable {
    var invtNo: String
    var logisticsNo: String
    var gcodes: [String]
    var grossWeight: Decimal
    var netWeight: Decimal
}

extension GatewayCore {
    /// Decides a summary request: the inventories it summarises, or the one refusal.
    func judgeSummary(_ summary: DeclaredMessage) -> Result<[SummarisedInventory], SummaryRefusal> {
        let numbers = summary.summaryInventoryNumbers
        guard !numbers.isEmpty else {
            return .failure(SummaryRefusal(status: "-701001", info: "汇总申请单未列明清单 (no inventory listed) [\(summary.guid)]"))
        }
        var inventories: [SummarisedInventory] = []
        for invtNo in numbers {
            guard let numbered = numberedInventories[invtNo], numbered.releasedAt != nil,
                  let declared = ledger.declaration(.ceb603, orderNo: numbered.orderNo, ebpCode: numbered.ebpCode)
            else {
                return .failure(SummaryRefusal(status: "-701002", info: "清单[\(invtNo)]不存在或未放行 (unknown or not released) [\(summary.guid)]"))
            }
            guard declared["statisticsFlag"] == "B" else {
                return .failure(SummaryRefusal(status: "-701003", info: "清单[\(invtNo)]非汇总申报 (statisticsFlag is not B) [\(summary.guid)]"))
            }
            guard declared["ebcCode"] == summary["ebcCode"] else {
                return .failure(SummaryRefusal(status: "-701004", info: "清单[\(invtNo)]收发货人与汇总申请单不一致 (another consignor) [\(summary.guid)]"))
            }
            if let earlier = numbered.summarisedBy {
                return .failure(SummaryRefusal(status: "-701005", info: "清单[\(invtNo)]已由[\(earlier)]汇总 (already summarised) [\(summary.guid)]"))
            }
            inventories.append(SummarisedInventory(
                invtNo: invtNo, logisticsNo: declared["logisticsNo"] ?? "-", gcodes: declared.lines.map(\.gcode),
                grossWeight: declared.amount("grossWeight") ?? 0, netWeight: declared.amount("netWeight") ?? 0
            ))
        }
        for invtNo in numbers { numberedInventories[invtNo]?.summarisedBy = summary.guid }
        return .success(inventories)
    }
}

struct SummaryRefusal: Error, Sendable {
    var status: String
    var info: String
}

extension ReceiptCourier {
    /// Plays an accepted CEB701: judged when taken up; then 702 (2, 120) and the 792 result.
    func runSummary(_ job: ReceiptJob) async throws {
        let declared = job.declared
        let day = ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        let serial = Self.digits(await core.nextDocumentNumber(), 9)
        let preNo = "P" + day.format("yyyyMMdd") + serial
        switch await core.judgeSummary(declared) {
        case .failure(let refusal):
            await core.noteRejection()
            try await clock.sleep(for: stepDelay)
            try await deliverSummaryReturn(ReceiptStep(returnStatus: refusal.status, returnInfo: refusal.info), for: job, preNo: preNo, sumNo: nil)
        case .success(let inventories):
            let sumNo = "S" + day.format("yyyyMMdd") + serial
            try await clock.sleep(for: stepDelay)
            try await deliverSummaryReturn(ReceiptScript.declaring(declared.guid), for: job, preNo: preNo, sumNo: nil)
            try await clock.sleep(for: stepDelay)
            let entered = ReceiptStep(returnStatus: "120", returnInfo: "海关入库：汇总申请单[\(sumNo)] [\(declared.guid)]")
            try await deliverSummaryReturn(entered, for: job, preNo: preNo, sumNo: sumNo)
            try await clock.sleep(for: stepDelay)
            let customs = declared["customsCode"].flatMap { $0.count == 4 && $0.allSatisfy(\.isNumber) ? $0 : nil } ?? "0000"
            let entryId = customs + day.format("yyyy") + "1" + serial
            let result = SummaryResultDocument(
                receiptGuid: UUID().uuidString.uppercased(), declared: declared, sumNo: sumNo,
                declSeqNo: "D" + day.format("yyyyMMdd") + serial, entryId: entryId, opDate: day, inventories: inventories
            )
            try await deliverSummary(result.xml(), kind: .ceb792, receiptGuid: result.receiptGuid, for: job, returnStatus: "399")
        }
    }

    private func deliverSummaryReturn(_ step: ReceiptStep, for job: ReceiptJob, preNo: String, sumNo: String?) async throws {
        let receipt = SummaryReturnDocument(
            receiptGuid: UUID().uuidString.uppercased(), declared: job.declared, step: step, preNo: preNo, sumNo: sumNo,
            returnTime: ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        )
        try await deliverSummary(receipt.xml(), kind: .ceb702, receiptGuid: receipt.receiptGuid, for: job, returnStatus: step.returnStatus)
    }

    private func deliverSummary(_ bytes: Data, kind: ReceiptKind, receiptGuid: String, for job: ReceiptJob, returnStatus: String) async throws {
        let createTime = ZonedDateTime(instant: now(), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        try await deliverCopies(
            of: bytes, kind: kind, receiptGuid: receiptGuid, messageGuid: job.declared.guid, returnStatus: returnStatus,
            callbackBody: {
                DxpEnvelope(
                    copMsgId: receiptGuid, senderId: gatewayDxpId, receiverIds: [job.senderId],
                    createTime: createTime, msgType: kind.rootElement, data: bytes
                ).xml()
            }
        )
    }
}
