public import Foundation
import YidanCore
import YidanXML

/// Reads customs tax bills (CEB816), bare or wrapped in a `DxpMsg` envelope,
/// into `TaxBill`s — one per `Tax` element.
///
/// Like `ReceiptParser`, elements are matched by namespace URI, never by
/// prefix: customs writes a default namespace, other tools write `ceb:`.
/// The bytes go through YidanXML's hardened parser (no DTD, no entities, no network).
public enum TaxBillParser {
    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    static let dxpNamespace = "http://www.chinaport.gov.cn/dxp"

    public static func parse(_ bytes: Data) throws -> [TaxBill] {
        let document = try XMLDocument.parse(bytes)
        guard let root = document.root else {
            throw YidanError(.receipt, "tax bill has no root element")
        }
        if root.localName == "DxpMsg", root.namespaceURI == dxpNamespace {
            guard let dataNode = root.firstChild("Data", namespaceURI: dxpNamespace) else {
                throw YidanError(.receipt, "/DxpMsg: envelope has no Data element")
            }
            guard let inner = Data(base64Encoded: dataNode.text.filter { !$0.isWhitespace }) else {
                throw YidanError(.receipt, "/DxpMsg/Data: is not valid Base64")
            }
            return try parse(inner)
        }
        guard root.localName == "CEB816Message", root.namespaceURI == cebNamespace else {
            throw YidanError(.receipt, "/\(root.localName): not a CEB816 tax bill in namespace \(cebNamespace)")
        }
        let taxes = root.children("Tax", namespaceURI: cebNamespace)
        guard !taxes.isEmpty else {
            throw YidanError(.receipt, "/CEB816Message: holds no Tax")
        }
        return try taxes.enumerated().map { index, tax in
            try bill(tax, path: "/CEB816Message/Tax[\(index + 1)]")
        }
    }

    static func bill(_ tax: XMLNode, path: String) throws -> TaxBill {
        guard let head = tax.firstChild("TaxHeadRd", namespaceURI: cebNamespace) else {
            throw YidanError(.receipt, "\(path)/TaxHeadRd: is required")
        }
        let headPath = "\(path)/TaxHeadRd"
        let statusText = try required(head, "status", headPath)
        guard let status = TaxBillStatus(rawValue: statusText) else {
            throw YidanError(.receipt, "\(headPath)/status: \(statusText) is not 1 (issued), 2 (summarised) or 3 (void)")
        }
        let lines = tax.children("TaxListRd", namespaceURI: cebNamespace)
        let items = try lines.enumerated().map { index, line in
            let linePath = "\(path)/TaxListRd[\(index + 1)]"
            let gnumText = try required(line, "gnum", linePath)
            guard let gnum = Int(gnumText), gnum >= 1 else {
                throw YidanError(.receipt, "\(linePath)/gnum: \(gnumText) is not an item number from 1")
            }
            return TaxBillItem(
                gnum: gnum,
                gcode: try required(line, "gcode", linePath),
                taxPrice: try amount(line, "taxPrice", linePath),
                customsTax: try amount(line, "customsTax", linePath),
                valueAddedTax: try amount(line, "valueAddedTax", linePath),
                consumptionTax: try amount(line, "consumptionTax", linePath)
            )
        }
        return TaxBill(
            guid: try required(head, "guid", headPath).uppercased(),
            taxNo: try required(head, "taxNo", headPath),
            invtNo: try required(head, "invtNo", headPath),
            status: status,
            returnTime: try required(head, "returnTime", headPath),
            customsTax: try amount(head, "customsTax", headPath),
            valueAddedTax: try amount(head, "valueAddedTax", headPath),
            consumptionTax: try amount(head, "consumptionTax", headPath),
            assureCode: optional(head, "assureCode"),
            items: items
        )
    }

    static func optional(_ element: XMLNode, _ name: String) -> String? {
        guard let value = element.firstChild(name, namespaceURI: cebNamespace)?.text
            .trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        else { return nil }
        return value
    }

    static func required(_ element: XMLNode, _ name: String, _ path: String) throws -> String {
        guard let value = optional(element, name) else {
            throw YidanError(.receipt, "\(path)/\(name): is required")
        }
        return value
    }

    /// Amounts are plain decimals (Amount19_5); anything else is refused rather than guessed.
    static func amount(_ element: XMLNode, _ name: String, _ path: String) throws -> Decimal {
        let text = try required(element, name, path)
        guard let value = Money.parse(text) else {
            throw YidanError(.receipt, "\(path)/\(name): \(text) is not a decimal amount")
        }
        return value
    }
}
