import Foundation
import YidanCore
import YidanMapping
import YidanXML

/// The tax desk's side of exports: the no-invoice exemption record
/// (`TaxExportFiling`, `Mappings/schemas/tax-export-v1.xsd`) is posted to the
/// same `/tax/filings` as the import tax filing and told apart by its root.
extension AuthorityFilingKind {
    /// The kind among `kinds` (one authority's) whose root element `document`
    /// has; the first when it names none (its checks then refuse it).
    static func filed(in document: XMLDocument, among kinds: [AuthorityFilingKind]) -> AuthorityFilingKind {
        let fallback = kinds.first ?? .taxImport
        guard kinds.count > 1, let root = document.root else { return fallback }
        return kinds.first { $0.rootElement == root.localName && $0.namespaceURI == root.namespaceURI } ?? fallback
    }
}

extension GatewayCore {
    /// An export tax record agrees with customs when the CEB603 of its orderNo
    /// is on file, released under the record's invtNo, for the same exporter
    /// (ebcCode), and its `totalAmount` equals the inventory's goods total (sum
    /// of `totalPrice`, exact decimals). Until the inventory is released the
    /// desk waits, as for imports.
    func reconcileExportTax(_ facts: AuthorityFilingFacts) -> AuthorityReconciliation {
        let orderNo = facts.orderNo ?? ""
        guard let inventory = ledger.declaration(.ceb603, orderNo: orderNo, ebpCode: nil) else {
            return .notOnFile(["no export inventory (CEB603) on file for orderNo \(orderNo)"])
        }
        let invtNo = facts["invtNo"] ?? ""
        guard let numbered = numberedInventories[invtNo], numbered.orderNo == orderNo, numbered.releasedAt != nil else {
            return .notOnFile(["no released export inventory \(invtNo) for orderNo \(orderNo)"])
        }
        var problems: [String] = []
        if facts["ebcCode"] != inventory["ebcCode"] {
            problems.append("export tax record ebcCode differs from the CEB603's")
        }
        if let total = facts.amount, let lines = inventory.linesTotal {
            if total != lines {
                problems.append("export tax record totalAmount \(Money.format(total, minScale: 2)) does not equal CEB603 sum of totalPrice \(Money.format(lines, minScale: 2))")
            }
        } else {
            problems.append("export tax record totalAmount or CEB603 totalPrice is missing or not a number")
        }
        return problems.isEmpty ? .agrees : .disagrees(problems)
    }
}
