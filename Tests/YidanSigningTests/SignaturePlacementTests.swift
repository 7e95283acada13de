import Foundation
import Testing
import YidanSigning
import YidanXML

/// Where `ds:Signature` goes: last in import CEB messages, before
/// `ExtendMessage` in export ones (the two XSDs differ on this).
@Suite("Signature placement")
struct SignaturePlacementTests {
    static let ceb = SigningTestSupport.cebNamespace

    /// A CEB303-shaped export order with ExtendMessage last, as the export XSD orders it.
    static func exportOrder(root: String = "CEB303Message", extend: Bool = true) -> XMLDocument {
        let document = XMLDocument(rootName: root, namespaceURI: ceb, prefix: "ceb")
        guard let node = document.root else { return document }
        node.setAttribute("guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC95")
        node.setAttribute("version", "1.0")
        let head = node.addChild("Order").addChild("OrderHead")
        head.addChild("orderNo", text: "EXP20261205001")
        head.addChild("ebpName", text: "东方物通科技(北京)有限公司")
        node.addChild("BaseTransfer").addChild("copCode", text: "1105910159")
        if extend { node.addChild("ExtendMessage").addChild("name", text: "扩展") }
        return document
    }

    static func childNames(_ document: XMLDocument) -> [String] {
        document.root?.elementChildren.map(\.localName) ?? []
    }

    @Test("the default placement appends the signature after ExtendMessage (imports unchanged)")
    func defaultIsLast() throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA256))
        #expect(Self.childNames(document) == ["Inventory", "BaseTransfer", "ExtendMessage", "Signature"])
        #expect(try XMLSignature.verify(document))
    }

    @Test("forCEB picks before-ExtendMessage for export roots only",
          arguments: ["CEB303Message", "CEB403Message", "CEB505Message", "CEB603Message", "CEB701Message"])
    func exportRoots(_ root: String) {
        #expect(SignaturePlacement.forCEB(Self.exportOrder(root: root)) == .before(localName: "ExtendMessage", namespaceURI: Self.ceb))
    }

    @Test("forCEB keeps the signature last for imports, receipts and documents outside the CEB namespace")
    func otherRoots() {
        #expect(SignaturePlacement.forCEB(SigningTestSupport.inventoryDocument()) == .last)
        #expect(SignaturePlacement.forCEB(XMLDocument(rootName: "CEB311Message", namespaceURI: Self.ceb, prefix: "ceb")) == .last)
        #expect(SignaturePlacement.forCEB(XMLDocument(rootName: "CEB303Message", namespaceURI: "urn:elsewhere", prefix: nil)) == .last)
        #expect(SignaturePlacement.forCEB(XMLDocument(rootName: "TaxImportFiling", namespaceURI: "urn:yidan:filing:tax:v1", prefix: nil)) == .last)
    }

    @Test("an export message gets ds:Signature before ExtendMessage, and it still verifies",
          arguments: SignatureAlgorithm.allCases)
    func exportPlacement(_ algorithm: SignatureAlgorithm) throws {
        let document = Self.exportOrder()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm), placement: .forCEB(document))
        #expect(Self.childNames(document) == ["Order", "BaseTransfer", "Signature", "ExtendMessage"])
        #expect(try XMLSignature.verify(document))
        // The serialized bytes verify too, after a fresh parse.
        let reparsed = try XMLDocument.parse(document.serialized())
        #expect(Self.childNames(reparsed) == ["Order", "BaseTransfer", "Signature", "ExtendMessage"])
        #expect(try XMLSignature.verify(reparsed))
        // And a change to ExtendMessage, which follows the signature, is still covered.
        let changed = String(decoding: document.serialized(), as: UTF8.self).replacingOccurrences(of: "扩展", with: "扩大")
        #expect(try !XMLSignature.verify(XMLDocument.parse(Data(changed.utf8))))
    }

    @Test("without ExtendMessage the before-placement falls back to last")
    func missingAnchor() throws {
        let document = Self.exportOrder(extend: false)
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA1), placement: .forCEB(document))
        #expect(Self.childNames(document) == ["Order", "BaseTransfer", "Signature"])
        #expect(try XMLSignature.verify(document))
    }

    @Test("a signature placed before ExtendMessage is accepted by xmlsec1", arguments: SignatureAlgorithm.allCases)
    func exportPlacementXMLSec(_ algorithm: SignatureAlgorithm) throws {
        let document = Self.exportOrder()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm), placement: .forCEB(document))
        guard let result = try FilingSignatureTests.xmlsecVerify(document.serialized()) else { return }
        #expect(result.status == 0, "xmlsec1 said: \(result.output)")
        let tampered = String(decoding: document.serialized(), as: UTF8.self).replacingOccurrences(of: "扩展", with: "扩大")
        guard let refused = try FilingSignatureTests.xmlsecVerify(Data(tampered.utf8)) else { return }
        #expect(refused.status != 0)
    }
}
