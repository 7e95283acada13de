public import Foundation
public import YidanCore
import YidanXML

/// Writes a receipt (CEB312/412/512/622) as customs does: default namespace,
/// no prefix, `guid` + `version` on the root and one `…Return` entry whose
/// `guid` is the declared message's guid.
public struct ReceiptDocument: Sendable {
    public var kind: ReceiptKind
    /// The receipt message's own guid (upper case, 36 characters).
    public var receiptGuid: String
    public var declared: DeclaredMessage
    public var step: ReceiptStep
    public var returnTime: ZonedDateTime
    /// Pre-entry number of an inventory (电子口岸标识编号, 18 characters).
    public var preNo: String?
    /// Inventory number customs assigns once the inventory is stored (18 characters).
    public var invtNo: String?

    public init(kind: ReceiptKind, receiptGuid: String, declared: DeclaredMessage, step: ReceiptStep,
                returnTime: ZonedDateTime, preNo: String? = nil, invtNo: String? = nil) {
        self.kind = kind
        self.receiptGuid = receiptGuid
        self.declared = declared
        self.step = step
        self.returnTime = returnTime
        self.preNo = preNo
        self.invtNo = invtNo
    }

    public func xml() -> Data {
        let ns = DeclaredMessage.cebNamespace
        let document = XMLDocument(rootName: kind.rootElement, namespaceURI: ns, prefix: nil)
        guard let root = document.root else { return Data() }
        root.setAttribute("guid", receiptGuid)
        root.setAttribute("version", "1.0")
        let entry = root.addChild(entryName, namespaceURI: ns, prefix: nil, text: nil)
        for (name, value) in entryFields() {
            entry.addChild(name, namespaceURI: ns, prefix: nil, text: value)
        }
        return document.serialized(pretty: true)
    }

    var entryName: String {
        switch kind {
        case .ceb312: "OrderReturn"
        case .ceb412: "PaymentReturn"
        case .ceb512: "LogisticsReturn"
        case .ceb622: "InventoryReturn"
        default: Self.exportEntryName(of: kind) ?? Self.changeEntryName(of: kind) ?? "Return"  // exports: ExportDeclarations.swift
        }
    }

    /// The entry's fields in the order the schema's sequence demands.
    func entryFields() -> [(String, String)] {
        let d = declared
        // Required text fields must not be empty even for a malformed declaration.
        func required(_ field: String) -> String { d[field] ?? "-" }
        var fields: [(String, String)] = [("guid", d.guid)]
        switch kind {
        case .ceb312:
            fields += [("ebpCode", required("ebpCode")), ("ebcCode", required("ebcCode")), ("orderNo", required("orderNo"))]
        case .ceb412:
            fields += [("payCode", required("payCode")), ("payTransactionId", required("payTransactionId"))]
        case .ceb512:
            fields += [("logisticsCode", required("logisticsCode")), ("logisticsNo", required("logisticsNo"))]
        case .ceb622:
            if let customsCode = d["customsCode"], customsCode.count == 4 { fields.append(("customsCode", customsCode)) }
            for optional in ["ebpCode", "ebcCode", "agentCode"] {
                if let value = d[optional] { fields.append((optional, value)) }
            }
            fields.append(("copNo", String((d["copNo"] ?? d["orderNo"] ?? "-").prefix(20))))
            fields.append(("preNo", preNo ?? String(repeating: "0", count: 18)))
            if let invtNo { fields.append(("invtNo", invtNo)) }
        default:
            fields += exportEntryFields() + changeEntryFields()  // ExportDeclarations.swift, InventoryChanges.swift
        }
        fields += [
            ("returnStatus", step.returnStatus),
            ("returnTime", returnTime.format("yyyyMMddHHmmssSSS", inOffset: ZonedDateTime.beijingOffsetSeconds)),
            ("returnInfo", step.returnInfo),
        ]
        return fields
    }
}
