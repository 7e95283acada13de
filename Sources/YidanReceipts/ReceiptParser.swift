public import Foundation
import YidanCore
public import YidanStore
import YidanXML

/// Reads customs receipts (CEB312/412/512/622), bare or wrapped in a `DxpMsg`
/// transport envelope, into `ReceiptRecord`s — one per return element, since
/// one receipt message may carry several. Tax and FX receipts
/// (`TaxFilingReceipt`, `FxFilingReceipt`) are read by `AuthorityReceiptParser`.
///
/// Customs writes receipts with a default namespace and no prefix, while our
/// own messages use `ceb:`; everything here matches by namespace URI, never by
/// prefix, so both read the same.
public enum ReceiptParser {
    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    static let dxpNamespace = "http://www.chinaport.gov.cn/dxp"

    /// The return element of each receipt kind and the child that names the
    /// business document it answers (order number, transaction id, waybill, copNo).
    static let layout: [ReceiptKind: (element: String, businessNo: String)] = [
        .ceb312: ("OrderReturn", "orderNo"),
        .ceb412: ("PaymentReturn", "payTransactionId"),
        .ceb512: ("LogisticsReturn", "logisticsNo"),
        .ceb622: ("InventoryReturn", "copNo"),
        // Cancel (CEB623) and return (CEB625) of an import inventory.
        .ceb624: ("InvtCancelReturn", "copNo"),
        .ceb626: ("InvtRefundReturn", "copNo"),
        // Exports (ceb-export.xsd): CEB404 names the order, not the optional payNo.
        .ceb304: ("OrderReturn", "orderNo"),
        .ceb404: ("ReceiptsReturn", "orderNo"),
        .ceb506: ("LogisticsReturn", "logisticsNo"),
        .ceb604: ("InventoryReturn", "copNo"),
        // The summary request (CEB701); its result CEB792 is read by `SummaryResultParser`.
        .ceb702: ("SummaryReturn", "copNo"),
    ]

    public static func parse(_ bytes: Data, channel: String, receivedAt: Date = Date()) throws -> [ReceiptRecord] {
        let document = try XMLDocument.parse(bytes)
        guard let root = document.root else {
            throw YidanError(.receipt, "receipt has no root element")
        }
        if root.localName == "DxpMsg", root.namespaceURI == dxpNamespace {
            guard let dataNode = root.firstChild("Data", namespaceURI: dxpNamespace) else {
                throw YidanError(.receipt, "/DxpMsg: envelope has no Data element")
            }
            let encoded = dataNode.text.filter { !$0.isWhitespace }
            guard let inner = Data(base64Encoded: encoded) else {
                throw YidanError(.receipt, "/DxpMsg/Data: is not valid Base64")
            }
            return try parse(inner, channel: channel, receivedAt: receivedAt)
        }
        if let kind = AuthorityReceiptParser.kind(of: root) {
            return [try AuthorityReceiptParser.parse(root, kind: kind, bytes: bytes, channel: channel, receivedAt: receivedAt)]
        }
        guard root.namespaceURI == cebNamespace else {
            throw YidanError(.receipt, "/\(root.localName): namespace \(root.namespaceURI ?? "(none)") is not \(cebNamespace)")
        }
        if root.localName == ReceiptKind.ceb792.rootElement {
            return try SummaryResultParser.parse(root, bytes: bytes, channel: channel, receivedAt: receivedAt)
        }
        guard let kind = ReceiptKind.allCases.first(where: { $0.rootElement == root.localName }),
              let shape = layout[kind]
        else {
            throw YidanError(.receipt, "/\(root.localName): not a receipt yidan follows (CEB312/412/512/622, CEB304/404/506/604)")
        }
        let returns = root.children(shape.element, namespaceURI: cebNamespace)
        guard !returns.isEmpty else {
            throw YidanError(.receipt, "/\(root.localName): holds no \(shape.element)")
        }
        var records: [ReceiptRecord] = []
        for (index, element) in returns.enumerated() {
            let path = "/\(root.localName)/\(shape.element)[\(index + 1)]"
            func required(_ name: String) throws -> String {
                guard let value = element.firstChild(name, namespaceURI: cebNamespace)?.text
                    .trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
                else {
                    throw YidanError(.receipt, "\(path)/\(name): is required")
                }
                return value
            }
            let info = element.firstChild("returnInfo", namespaceURI: cebNamespace)?.text
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            records.append(
                ReceiptRecord(
                    kind: kind,
                    messageGuid: try required("guid").uppercased(),
                    businessNo: try required(shape.businessNo),
                    returnStatus: try required("returnStatus"),
                    returnInfo: info,
                    returnTime: try required("returnTime"),
                    raw: bytes,
                    receivedAt: receivedAt,
                    channel: channel,
                    invtNo: (element.firstChild("invtNo", namespaceURI: cebNamespace)?.text
                        .trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { $0.isEmpty ? nil : $0 }
                )
            )
        }
        return records
    }
}
