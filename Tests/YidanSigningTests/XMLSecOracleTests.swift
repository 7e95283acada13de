import Foundation
import Testing
import YidanSigning
import YidanXML

/// An independent implementation checks our signatures: xmlsec1 (Debian
/// package `xmlsec1`) verifies the signed bytes with the test certificate.
@Suite("xmlsec1 verifies yidan's signatures")
struct XMLSecOracleTests {
    static let xmlsec1 = ["/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1"]

    func xmlsecVerify(_ bytes: Data, certificate: URL = SigningTestSupport.certificateURL) throws -> (status: Int32, output: String)? {
        let folder = try SigningTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("signed.xml")
        try bytes.write(to: file)
        return try SigningTestSupport.run(Self.xmlsec1, ["--verify", "--pubkey-cert-pem", certificate.path, file.path])
    }

    @Test("xmlsec1 --verify accepts our signature", arguments: SignatureAlgorithm.allCases)
    func accepts(_ algorithm: SignatureAlgorithm) throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm))
        guard let result = try xmlsecVerify(document.serialized()) else {
            Issue.record("xmlsec1 is not installed: install the Debian package xmlsec1 (apt-get install -y xmlsec1)")
            return
        }
        #expect(result.status == 0, "xmlsec1 said: \(result.output)")
        #expect(result.output.contains("OK"))
    }

    @Test("xmlsec1 --verify accepts a signed default-namespace document with surrounding whitespace")
    func acceptsPrettyInput() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CEB622Message xmlns="http://www.chinaport.gov.cn/ceb" guid="G" version="1.0">
                <InventoryReturn>
                    <returnInfo>新增申报成功[4CDE1CFD]</returnInfo>
                </InventoryReturn>
            </CEB622Message>
            """
        let document = try XMLDocument.parse(Data(xml.utf8))
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA256))
        guard let result = try xmlsecVerify(document.serialized()) else {
            Issue.record("xmlsec1 is not installed: install the Debian package xmlsec1 (apt-get install -y xmlsec1)")
            return
        }
        #expect(result.status == 0, "xmlsec1 said: \(result.output)")
    }

    @Test("xmlsec1 --verify rejects a tampered document (the oracle can say no)")
    func rejectsTampered() throws {
        let document = SigningTestSupport.inventoryDocument()
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(.rsaSHA1))
        let tampered = String(decoding: document.serialized(), as: UTF8.self)
            .replacingOccurrences(of: "1105910159", with: "1105910158")
        guard let result = try xmlsecVerify(Data(tampered.utf8)) else {
            Issue.record("xmlsec1 is not installed: install the Debian package xmlsec1 (apt-get install -y xmlsec1)")
            return
        }
        #expect(result.status != 0)
    }
}
