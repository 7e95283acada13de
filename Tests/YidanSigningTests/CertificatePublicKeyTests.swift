import Foundation
import Testing
@testable import YidanSigning
import YidanCore
import YidanXML

/// The tiny DER walker against openssl's reading of the same certificates.
@Suite("Public key from an X.509 certificate")
struct CertificatePublicKeyTests {
    /// openssl's SubjectPublicKeyInfo (DER) for a DER certificate file.
    func opensslPublicKey(certificateDER: Data) throws -> Data? {
        let folder = try SigningTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("cert.der")
        let key = folder.appendingPathComponent("key.der")
        try certificateDER.write(to: certificate)
        guard let extract = try SigningTestSupport.run(["/usr/bin/openssl", "/usr/local/bin/openssl"],
                                                       ["x509", "-inform", "DER", "-in", certificate.path, "-pubkey", "-noout", "-out", key.path + ".pem"]),
              extract.status == 0,
              let convert = try SigningTestSupport.run(["/usr/bin/openssl", "/usr/local/bin/openssl"],
                                                       ["pkey", "-pubin", "-in", key.path + ".pem", "-outform", "DER", "-out", key.path]),
              convert.status == 0
        else { return nil }
        return try Data(contentsOf: key)
    }

    @Test("the test certificate's key matches openssl's")
    func testCertificate() throws {
        let pem = try String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8)
        let der = try PEM.decode(pem, label: "CERTIFICATE")
        let ours = try CertificatePublicKey.subjectPublicKeyInfo(fromCertificateDER: der)
        let expected = try #require(try opensslPublicKey(certificateDER: der), "openssl is needed for this test")
        #expect(ours == expected)
        #expect(try CertificatePublicKey.rsaKey(fromCertificateDER: der).keySizeInBits == 2048)
    }

    @Test("the official sample's customs certificate (RSA 1024, version 3) is read the same way")
    func officialSampleCertificate() throws {
        let sample = try XMLDocument.parse(Data(contentsOf: SigningTestSupport.importSamples.appendingPathComponent("CEB311Message.xml")))
        let der = try #require(try XMLSignature.signingCertificate(of: sample))
        let ours = try CertificatePublicKey.subjectPublicKeyInfo(fromCertificateDER: der)
        let expected = try #require(try opensslPublicKey(certificateDER: der), "openssl is needed for this test")
        #expect(ours == expected)
        #expect(try CertificatePublicKey.rsaKey(fromCertificateDER: der).keySizeInBits == 1024)
    }

    @Test("keys read again come from the recent-keys table, each certificate's own, and a broken certificate is never remembered")
    func recentKeys() throws {
        let pem = try String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8)
        let ours = try PEM.decode(pem, label: "CERTIFICATE")
        let sample = try XMLDocument.parse(Data(contentsOf: SigningTestSupport.importSamples.appendingPathComponent("CEB311Message.xml")))
        let customs = try #require(try XMLSignature.signingCertificate(of: sample))
        for _ in 1...3 {
            #expect(try CertificatePublicKey.rsaKey(fromCertificateDER: ours).derRepresentation
                == CertificatePublicKey.subjectPublicKeyInfo(fromCertificateDER: ours))
            #expect(try CertificatePublicKey.rsaKey(fromCertificateDER: customs).derRepresentation
                == CertificatePublicKey.subjectPublicKeyInfo(fromCertificateDER: customs))
            #expect(throws: YidanError.self) { try CertificatePublicKey.rsaKey(fromCertificateDER: ours.prefix(40)) }
        }
    }

    @Test("truncated or non-certificate DER is a clear error")
    func malformed() throws {
        let pem = try String(contentsOf: SigningTestSupport.certificateURL, encoding: .utf8)
        let der = try PEM.decode(pem, label: "CERTIFICATE")
        for broken in [der.prefix(40), Data([0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]), Data([0x02, 0x01, 0x00]), Data()] {
            let error = try #require(throws: YidanError.self) { try CertificatePublicKey.subjectPublicKeyInfo(fromCertificateDER: Data(broken)) }
            #expect(error.code == .signing)
        }
        #expect(throws: YidanError.self) { try PEM.decode("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----", label: "CERTIFICATE") }
    }
}
