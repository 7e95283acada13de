import Foundation
import YidanCore
import YidanMapping

extension GatewayCore {
    /// An export FX record (FX-EXPORT) agrees with customs when the CEB403
    /// receipt of payment of its orderNo is on file and its `amount` equals the
    /// CEB403 `charge` (both in the order's currency, exact decimals), with the
    /// same payment transaction (`payTransactionId` = CEB403 `payNo`). Until the
    /// CEB403 is on file the desk waits, as for imports.
    func reconcileExportFx(_ facts: AuthorityFilingFacts) -> AuthorityReconciliation {
        let orderNo = facts.orderNo ?? ""
        guard let receipt = ledger.declaration(.ceb403, orderNo: orderNo, ebpCode: nil) else {
            return .notOnFile(["no receipt of payment (CEB403) on file for orderNo \(orderNo)"])
        }
        var problems: [String] = []
        if case .disagrees(let found) = Self.compare("export FX amount", facts.amount, "CEB403 charge", receipt.amount("charge")) {
            problems += found
        }
        if let id = facts["payTransactionId"], let declared = receipt["payNo"], id != declared {
            problems.append("export FX payTransactionId differs from the CEB403 payNo")
        }
        return problems.isEmpty ? .agrees : .disagrees(problems)
    }
}
