import Foundation
import YidanCore

/// Cancels (CEB623 撤销申请单) and returns (CEB625 退货申请单) of import
/// inventories, as the simulated customs plays them.
///
/// Customs remembers each inventory it numbered (invtNo) and released. A
/// cancel names an inventory by that number and must find it on file, not yet
/// cancelled or returned (-623003 / -623005). A return must name a released
/// inventory, within the return window after release, not yet cancelled or
/// returned (-625016 / -625022). Taken applications earn 2 (being declared),
/// 120 (entered), 399 (concluded: the cancel or return is approved), the codes
/// the 202205 specification lists for CEB624/CEB626.
struct NumberedInventory: Sendable, Equatable {
    var orderNo: String
    var ebpCode: String
    var invtNo: String
    var releasedAt: Date?
    /// guid of the CEB623/CEB625 that ended it, once approved.
    var endedBy: String?
    /// guid of the CEB701 that summarised it (exports with statisticsFlag B, ExportSummaries.swift).
    var summarisedBy: String? = nil
}

extension DeclaredMessage {
    /// The two changes customs accepts on a declared import inventory.
    static let inventoryChangeKinds: [MessageKind] = [.ceb623, .ceb625]

    /// Wrapper, head and goods-line elements of a cancel or return. A cancel's
    /// head is the `InvtCancel` element itself (found under the root).
    static func changeLayout(of kind: MessageKind) -> (wrapper: String, head: String, list: String?)? {
        switch kind {
        case .ceb623: ("InvtCancel", "InvtCancel", nil)
        case .ceb625: ("InvtRefund", "InvtRefundHead", nil)
        default: nil
        }
    }

    var isInventoryChange: Bool { Self.inventoryChangeKinds.contains(kind) }
}

extension ReceiptScript {
    /// The return window after release (filings/RULES.md: returns within 30 days of release).
    static let returnWindow: TimeInterval = 30 * 24 * 3600

    /// 2, 120, 399 for an approved cancel or return.
    static func afterChange(guid: String, kind: MessageKind) -> [ReceiptStep] {
        let what = kind == .ceb623 ? "撤单" : "退货"
        return [
            declaring(guid),
            ReceiptStep(returnStatus: "120", returnInfo: "海关入库：\(what)申请[\(guid)]"),
            ReceiptStep(returnStatus: "399", returnInfo: "海关审结：\(what)已核准[\(guid)]"),
        ]
    }
}

extension GatewayCore {
    /// Called when customs releases an inventory: from then on it can be cancelled or returned.
    func noteReleased(_ inventory: DeclaredMessage, invtNo: String, at instant: Date) {
        guard inventory.kind == .ceb621 || inventory.kind == .ceb603 else { return }  // 603: summaries (ExportSummaries.swift)
        numberedInventories[invtNo] = NumberedInventory(
            orderNo: inventory["orderNo"] ?? "", ebpCode: inventory["ebpCode"] ?? "", invtNo: invtNo, releasedAt: instant
        )
    }

    /// Decides a cancel or return at `now`: the receipts it earns. An approved
    /// one ends the inventory, so a second change is refused.
    func judgeChange(_ change: DeclaredMessage, now: Date) -> [ReceiptStep] {
        let invtNo = change["invtNo"] ?? ""
        let isCancel = change.kind == .ceb623
        guard var inventory = numberedInventories[invtNo], inventory.orderNo == change["orderNo"],
              inventory.ebpCode == change["ebpCode"]
        else {
            let step = isCancel
                ? ReceiptStep(returnStatus: "-623003", returnInfo: "系统中不存在清单编号为[\(invtNo)]的清单！[\(change.guid)]")
                : ReceiptStep(returnStatus: "-625016", returnInfo: "查无此数据：清单编号[\(invtNo)] [\(change.guid)]")
            return [step]
        }
        if let endedBy = inventory.endedBy {
            let step = isCancel
                ? ReceiptStep(returnStatus: "-623005", returnInfo: "清单的状态不符合撤单申报要求(清单编号[\(invtNo)])！已由[\(endedBy)]撤单或退货")
                : ReceiptStep(returnStatus: "-625022", returnInfo: "退货申请单[\(change.guid)]的申报状态不符合条件：清单[\(invtNo)]已由[\(endedBy)]撤单或退货")
            return [step]
        }
        if !isCancel {
            guard let releasedAt = inventory.releasedAt else {
                return [ReceiptStep(returnStatus: "-625022", returnInfo: "退货申请单[\(change.guid)]的申报状态不符合条件：清单[\(invtNo)]未放行")]
            }
            guard now.timeIntervalSince(releasedAt) <= ReceiptScript.returnWindow else {
                return [ReceiptStep(returnStatus: "-625022", returnInfo: "退货申请单[\(change.guid)]的申报状态不符合条件：清单[\(invtNo)]放行已超过30天退货期")]
            }
        }
        inventory.endedBy = change.guid
        numberedInventories[invtNo] = inventory
        return ReceiptScript.afterChange(guid: change.guid, kind: change.kind)
    }
}

extension ReceiptCourier {
    /// Plays an accepted cancel or return: judged when it is taken up, then its receipts.
    func runChange(_ job: ReceiptJob) async throws {
        let steps = await core.judgeChange(job.declared, now: now())
        if steps.count == 1 { await core.noteRejection() }
        for step in steps {
            try await clock.sleep(for: stepDelay)
            try await deliver(step, for: job, preNo: job.declared["preNo"], invtNo: job.declared["invtNo"])
        }
    }
}

extension ReceiptDocument {
    static func changeEntryName(of kind: ReceiptKind) -> String? {
        switch kind {
        case .ceb624: "InvtCancelReturn"
        case .ceb626: "InvtRefundReturn"
        default: nil
        }
    }

    /// A CEB624/626 entry's fields after `guid`, in the schema's order
    /// (InventoryChangeReturnType: agentCode comes before ebpCode here).
    func changeEntryFields() -> [(String, String)] {
        guard kind == .ceb624 || kind == .ceb626 else { return [] }
        let d = declared
        var fields: [(String, String)] = []
        if let customsCode = d["customsCode"], customsCode.count == 4 { fields.append(("customsCode", customsCode)) }
        for optional in ["agentCode", "ebpCode", "ebcCode"] {
            if let value = d[optional] { fields.append((optional, value)) }
        }
        fields.append(("copNo", String((d["copNo"] ?? d["orderNo"] ?? "-").prefix(20))))
        fields.append(("preNo", preNo.flatMap { $0.count == 18 ? $0 : nil } ?? String(repeating: "0", count: 18)))
        if let invtNo, invtNo.count == 18 { fields.append(("invtNo", invtNo)) }
        return fields
    }
}
