import Foundation
import YidanCore
import YidanStore
import YidanXML

/// Reads the tax authority's and FX administration's receipts (yidan's own
/// formats, `Mappings/schemas/tax-receipt-v1.xsd` / `fx-receipt-v1.xsd`, see
/// docs/filings.md): root `TaxFilingReceipt` in `urn:yidan:receipt:tax:v1` or
/// `FxFilingReceipt` in `urn:yidan:receipt:fx:v1`, fields guid, orderNo,
/// returnStatus, returnTime, returnInfo. Matched by namespace, never by prefix.
enum AuthorityReceiptParser {
    static let namespaces: [String: ReceiptKind] = [
        "urn:yidan:receipt:tax:v1": .taxReceipt,
        "urn:yidan:receipt:fx:v1": .fxReceipt,
    ]

    /// The receipt kind of a root in one of the authorities' namespaces, else nil.
    static func kind(of root: XMLNode) -> ReceiptKind? {
        root.namespaceURI.flatMap { namespaces[$0] }
    }

    /// One receipt document is one `ReceiptRecord` (messageGuid = the filing's
    /// guid, businessNo = its orderNo).
    static func parse(_ root: XMLNode, kind: ReceiptKind, bytes: Data, channel: String, receivedAt: Date) throws -> ReceiptRecord {
        let namespace = root.namespaceURI ?? ""
        guard root.localName == kind.rootElement else {
            throw YidanError(.receipt, "/\(root.localName): expected \(kind.rootElement) in \(namespace)")
        }
        func text(_ name: String) -> String? {
            root.firstChild(name, namespaceURI: namespace)?.trimmedText
        }
        func required(_ name: String) throws -> String {
            guard let value = text(name), !value.isEmpty else {
                throw YidanError(.receipt, "/\(root.localName)/\(name): is required")
            }
            return value
        }
        return ReceiptRecord(
            kind: kind,
            messageGuid: try required("guid").uppercased(),
            businessNo: try required("orderNo"),
            returnStatus: try required("returnStatus"),
            returnInfo: text("returnInfo") ?? "",
            returnTime: try required("returnTime"),
            raw: bytes,
            receivedAt: receivedAt,
            channel: channel
        )
    }
}
