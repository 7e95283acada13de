import Foundation
import YidanCore
import YidanXML

/// A CEB702 receipt of a summary request, as customs writes it (default
/// namespace, `ceb-export.xsd` `SummaryReturnType` order).
struct SummaryReturnDocument: Sendable {
    var receiptGuid: String
    var declared: DeclaredMessage
    var step: ReceiptStep
    var preNo: String
    var sumNo: String?
    var returnTime: ZonedDateTime

    func xml() -> Data {
        let ns = DeclaredMessage.cebNamespace
        let document = XMLDocument(rootName: ReceiptKind.ceb702.rootElement, namespaceURI: ns, prefix: nil)
        guard let root = document.root else { return Data() }
        root.setAttribute("guid", receiptGuid)
        root.setAttribute("version", "1.0")
        let entry = root.addChild("SummaryReturn", namespaceURI: ns, prefix: nil)
        var fields: [(String, String)] = [
            ("guid", declared.guid), ("agentCode", declared["agentCode"] ?? "-"), ("ebcCode", declared["ebcCode"] ?? "-"),
            ("copNo", String((declared["copNo"] ?? "-").prefix(30))), ("preNo", preNo),
        ]
        if let sumNo { fields.append(("sumNo", sumNo)) }
        fields += [
            ("msgSeqNo", declared["msgSeqNo"].flatMap { Int($0) }.map(String.init) ?? "1"),
            ("returnStatus", step.returnStatus),
            ("returnTime", returnTime.format("yyyyMMddHHmmssSSS", inOffset: ZonedDateTime.beijingOffsetSeconds)),
            ("returnInfo", step.returnInfo),
        ]
        for (name, value) in fields { entry.addChild(name, namespaceURI: ns, prefix: nil, text: value) }
        return document.serialized(pretty: true)
    }
}

/// A CEB792 summary result: one `SummaryResult` whose head carries the
/// declaration number (`entryId`) and whose list names every goods line of
/// the summarised inventories (`gseqno` in the declaration, `gnum` in the inventory).
struct SummaryResultDocument: Sendable {
    var receiptGuid: String
    var declared: DeclaredMessage
    var sumNo: String
    var declSeqNo: String
    var entryId: String
    var opDate: ZonedDateTime
    var inventories: [SummarisedInventory]

    func xml() -> Data {
        let ns = DeclaredMessage.cebNamespace
        let document = XMLDocument(rootName: ReceiptKind.ceb792.rootElement, namespaceURI: ns, prefix: nil)
        guard let root = document.root else { return Data() }
        root.setAttribute("guid", receiptGuid)
        root.setAttribute("version", "1.0")
        let result = root.addChild("SummaryResult", namespaceURI: ns, prefix: nil)
        let head = result.addChild("SummaryResultHead", namespaceURI: ns, prefix: nil)
        let d = declared
        let customs = d["customsCode"].flatMap { $0.count == 4 ? $0 : nil } ?? "0000"
        let gross = inventories.reduce(Decimal(0)) { $0 + $1.grossWeight }
        let net = inventories.reduce(Decimal(0)) { $0 + $1.netWeight }
        let fields: [(String, String)] = [
            ("guid", d.guid), ("customsCode", customs), ("sumNo", sumNo),
            ("opDate", opDate.format("yyyyMMddHHmmssSSS", inOffset: ZonedDateTime.beijingOffsetSeconds)),
            ("declSeqNo", declSeqNo), ("entryId", entryId), ("decState", "1"),
            ("agentCode", d["agentCode"] ?? "-"), ("agentName", d["agentName"] ?? "-"),
            ("ebcCode", d["ebcCode"] ?? "-"), ("ebcName", d["ebcName"] ?? "-"),
            ("declAgentCode", d["declAgentCode"] ?? "-"), ("declAgentName", d["declAgentName"] ?? "-"),
            ("grossWeight", Money.format(gross, maxScale: 5)), ("netWeight", Money.format(net, maxScale: 5)),
            ("msgCount", "1"), ("msgSeqNo", "1"),
        ]
        for (name, value) in fields { head.addChild(name, namespaceURI: ns, prefix: nil, text: value) }
        var sequence = 0
        for inventory in inventories {
            for (index, gcode) in inventory.gcodes.enumerated() {
                sequence += 1
                let line = result.addChild("SummaryResultList", namespaceURI: ns, prefix: nil)
                for (name, value) in [
                    ("invtNo", inventory.invtNo), ("logisticsNo", String(inventory.logisticsNo.prefix(32))),
                    ("gseqno", String(sequence)), ("gnum", String(index + 1)), ("gcode", gcode),
                ] {
                    line.addChild(name, namespaceURI: ns, prefix: nil, text: value)
                }
            }
        }
        return document.serialized(pretty: true)
    }
}
