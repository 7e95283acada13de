import Foundation
import YidanCore
import YidanStore
import YidanXML

/// Reads a CEB792 summary result (汇总结果单) into one `ReceiptRecord` per
/// `SummaryResult`, matched to the CEB701 it answers by `SummaryResultHead/guid`.
///
/// A CEB792 is a result, not a receipt: it has no `returnStatus`. yidan records
/// it as customs' conclusion of the summary (`docs/filings.md`, "Export summary"):
/// - with an `entryId` (the customs declaration number): returnStatus `399`
///   (concluded, the CEB701's final success), the number kept in the receipt's
///   `entryId` (store column `receipts.entry_id`);
/// - without one yet: returnStatus `120` (entered; a later CEB792 brings the number).
/// `returnTime` is the result's `opDate`, `businessNo` its `sumNo`.
enum SummaryResultParser {
    static let concluded = "399"
    static let entered = "120"

    static func parse(_ root: XMLNode, bytes: Data, channel: String, receivedAt: Date) throws -> [ReceiptRecord] {
        let ns = ReceiptParser.cebNamespace
        guard root.namespaceURI == ns else {
            throw YidanError(.receipt, "/\(root.localName): namespace \(root.namespaceURI ?? "(none)") is not \(ns)")
        }
        let results = root.children("SummaryResult", namespaceURI: ns)
        guard !results.isEmpty else {
            throw YidanError(.receipt, "/\(root.localName): holds no SummaryResult")
        }
        var records: [ReceiptRecord] = []
        for (index, result) in results.enumerated() {
            let path = "/\(root.localName)/SummaryResult[\(index + 1)]/SummaryResultHead"
            guard let head = result.firstChild("SummaryResultHead", namespaceURI: ns) else {
                throw YidanError(.receipt, "\(path): is required")
            }
            func text(_ name: String) -> String? {
                head.firstChild(name, namespaceURI: ns).map { $0.trimmedText }
                    .flatMap { $0.isEmpty ? nil : $0 }
            }
            func required(_ name: String) throws -> String {
                guard let value = text(name) else { throw YidanError(.receipt, "\(path)/\(name): is required") }
                return value
            }
            let entryId = text("entryId")
            if let entryId, entryId.count != 18 || !entryId.allSatisfy(\.isNumber) {
                throw YidanError(.receipt, "\(path)/entryId: must be 18 digits")
            }
            let sumNo = try required("sumNo")
            let decState = try required("decState")
            let info = entryId.map { "汇总结果: 报关单号 \($0), decState \(decState) [sumNo \(sumNo)]" }
                ?? "汇总结果: 报关单号未分配, decState \(decState) [sumNo \(sumNo)]"
            records.append(ReceiptRecord(
                kind: .ceb792, messageGuid: try required("guid").uppercased(), businessNo: sumNo,
                returnStatus: entryId == nil ? entered : concluded, returnInfo: info,
                returnTime: try required("opDate"), raw: bytes, receivedAt: receivedAt, channel: channel,
                entryId: entryId
            ))
        }
        return records
    }
}
