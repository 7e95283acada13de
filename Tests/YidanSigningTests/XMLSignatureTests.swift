import Foundation
import Testing
import YidanCore
import YidanSigning
import YidanXML

@Suite("Enveloped XML-DSig with RSA")
struct XMLSignatureTests {
    let ds = SigningTestSupport.dsNamespace

    @Test("sign then verify, in memory and after serialize + reparse", arguments: SignatureAlgorithm.allCases)
    func signAndVerify(_ algorithm: SignatureAlgorithm) throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm))
        #expect(try XMLSignature.verify(document))

        let reparsed = try XMLDocument.parse(document.serialized())
        #expect(try XMLSignature.verify(reparsed))
    }

    @Test("the signature has the shape customs expects", arguments: SignatureAlgorithm.allCases)
    func shape(_ algorithm: SignatureAlgorithm) throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm))
        let root = try #require(document.root)
        let signature = try #require(root.elementChildren.last)
        #expect(signature.localName == "Signature")
        #expect(signature.namespaceURI == ds)
        #expect(signature.prefix == "ds")
        #expect(root.elementChildren.map(\.localName) == ["Inventory", "BaseTransfer", "ExtendMessage", "Signature"])

        let namespaces = ["ds": ds]
        func value(_ xpath: String) throws -> String? { try document.select(xpath, namespaces: namespaces).first?.text }
        #expect(try value("//ds:SignedInfo/ds:CanonicalizationMethod/@Algorithm") == "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
        #expect(try value("//ds:SignedInfo/ds:SignatureMethod/@Algorithm") == algorithm.signatureMethodURI)
        #expect(try value("//ds:Reference/@URI") == "")
        #expect(try value("//ds:Reference/ds:Transforms/ds:Transform/@Algorithm") == "http://www.w3.org/2000/09/xmldsig#enveloped-signature")
        #expect(try value("//ds:Reference/ds:DigestMethod/@Algorithm") == algorithm.digestMethodURI)
        #expect(try value("//ds:KeyInfo/ds:KeyName") == "0001")
        let certificate = try #require(try value("//ds:KeyInfo/ds:X509Data/ds:X509Certificate"))
        let pem = try String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8)
        let pemBody = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        #expect(certificate == pemBody)
        let digest = try #require(try value("//ds:DigestValue").flatMap { Data(base64Encoded: $0) })
        #expect(digest.count == (algorithm == .rsaSHA1 ? 20 : 32))
        let signatureValue = try #require(try value("//ds:SignatureValue").flatMap { Data(base64Encoded: $0) })
        #expect(signatureValue.count == 256)
    }

    @Test("the URIs are the standard ones")
    func algorithmURIs() {
        #expect(SignatureAlgorithm.rsaSHA1.signatureMethodURI == "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
        #expect(SignatureAlgorithm.rsaSHA1.digestMethodURI == "http://www.w3.org/2000/09/xmldsig#sha1")
        #expect(SignatureAlgorithm.rsaSHA256.signatureMethodURI == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
        #expect(SignatureAlgorithm.rsaSHA256.digestMethodURI == "http://www.w3.org/2001/04/xmlenc#sha256")
        #expect(SignatureAlgorithm(signatureMethodURI: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256") == .rsaSHA256)
        #expect(SignatureAlgorithm(signatureMethodURI: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3") == nil)
    }

    @Test("changing one text node breaks verification", arguments: SignatureAlgorithm.allCases)
    func tamperedText(_ algorithm: SignatureAlgorithm) throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm))
        let note = try #require(document.select("//c:note", namespaces: ["c": SigningTestSupport.cebNamespace]).first)
        note.setText("a & b < d")
        #expect(try XMLSignature.verify(document) == false)

        let bytes = String(decoding: SigningTestSupport.inventoryDocument().serialized(), as: UTF8.self)
        #expect(bytes.contains("东方物通"))
    }

    @Test("changing the signed bytes on the wire breaks verification")
    func tamperedBytes() throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA256))
        let original = String(decoding: document.serialized(), as: UTF8.self)
        let changed = original.replacingOccurrences(of: "order20160321116421002", with: "order20160321116421003")
        #expect(changed != original)
        #expect(try XMLSignature.verify(XMLDocument.parse(Data(changed.utf8))) == false)

        // A changed SignedInfo (the signature method) breaks the signature value.
        let swapped = original.replacingOccurrences(of: "<ds:KeyName>0001</ds:KeyName>", with: "<ds:KeyName>0002</ds:KeyName>")
        #expect(try XMLSignature.verify(XMLDocument.parse(Data(swapped.utf8))), "KeyInfo is outside SignedInfo")
        let digestChanged = original.replacingOccurrences(of: "<ds:Reference URI=\"\">", with: "<ds:Reference URI=\"\" Id=\"r\">")
        #expect(try XMLSignature.verify(XMLDocument.parse(Data(digestChanged.utf8))) == false)
    }

    @Test("a signature made by another key does not verify against our certificate")
    func wrongCertificate() throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA256, withCertificate: false))
        #expect(throws: YidanError.self) { try XMLSignature.verify(document) }
        let pem = try String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8)
        let der = try #require(Data(base64Encoded: pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()))
        #expect(try XMLSignature.verify(document, certificateDER: der))
        #expect(try XMLSignature.signingCertificate(of: document) == nil)
    }

    @Test("signing twice, unsigned documents and foreign algorithms are clear errors")
    func errors() throws {
        let document = SigningTestSupport.inventoryDocument()
        #expect(throws: YidanError.self) { try XMLSignature.verify(document) }
        let signer = try SigningTestSupport.signer(.rsaSHA1)
        try XMLSignature.signEnveloped(document, with: signer)
        let error = try #require(throws: YidanError.self) { try XMLSignature.signEnveloped(document, with: signer) }
        #expect(error.code == .signing)

        // The official sample is signed with SM2/SM3, which yidan does not verify.
        let sample = try XMLDocument.parse(Data(contentsOf: SigningTestSupport.importSamples.appendingPathComponent("CEB311Message.xml")))
        let sm2 = try #require(throws: YidanError.self) { try XMLSignature.verify(sample) }
        #expect(sm2.message.contains("sm2-sm3"))
    }

    @Test("a key and a certificate that do not belong together are refused")
    func mismatchedCertificate() throws {
        let folder = try SigningTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let otherKey = try SigningTestSupport.generatedKeyPEM(in: folder)
        let error = try #require(throws: YidanError.self) {
            try PEMRSASigner(
                privateKeyPEM: otherKey,
                certificatePEM: String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8),
                keyName: "x", algorithm: .rsaSHA256
            )
        }
        #expect(error.message.contains("does not belong"))
        #expect(throws: YidanError.self) {
            try PEMRSASigner(privateKeyPEM: "not a key", certificatePEM: nil, keyName: "x", algorithm: .rsaSHA256)
        }
    }

    /// Signing an official sample (SM2 signature removed) keeps it schema-shaped:
    /// the new ds:Signature is the last child, after ExtendMessage-free content.
    @Test("re-signing the official CEB621 sample with RSA verifies")
    func officialSample() throws {
        let data = try Data(contentsOf: SigningTestSupport.importSamples.appendingPathComponent("CEB621Message.xml"))
        let document = try XMLDocument.parse(data)
        for old in try document.select("//ds:Signature", namespaces: ["ds": ds]) { old.remove() }
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA1))
        #expect(try XMLSignature.verify(XMLDocument.parse(document.serialized())))
    }
}
