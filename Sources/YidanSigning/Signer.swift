public import Foundation
import Crypto
import _CryptoExtras
import YidanCore

/// Something that can sign bytes: a PEM key here, a hardware token later.
public protocol Signer: Sendable {
    var algorithm: SignatureAlgorithm { get }
    /// Written as `ds:KeyInfo/ds:KeyName` (the customs key or certificate number).
    var keyName: String { get }
    /// The signer's X.509 certificate (DER), written as `ds:X509Certificate` when present.
    var certificateDER: Data? { get }
    /// Signs `data` (the canonical SignedInfo): hashes it with the algorithm's
    /// digest and returns the raw signature value.
    func sign(_ data: Data) throws -> Data
}

/// An RSA key from PEM text, signing with PKCS#1 v1.5 over SHA-1 or SHA-256.
public struct PEMRSASigner: Signer {
    public let algorithm: SignatureAlgorithm
    public let keyName: String
    public let certificateDER: Data?
    private let privateKey: _RSA.Signing.PrivateKey

    /// - Parameters:
    ///   - privateKeyPEM: `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY` (PKCS#8), unencrypted, 2048 bits or more.
    ///   - certificatePEM: the key's `CERTIFICATE`, if it should be embedded; its
    ///     public key must belong to `privateKeyPEM`.
    public init(privateKeyPEM: String, certificatePEM: String?, keyName: String, algorithm: SignatureAlgorithm) throws {
        do {
            privateKey = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw YidanError(.signing, "the RSA private key PEM could not be read (need an unencrypted RSA key of at least 2048 bits)")
        }
        if let certificatePEM {
            let der = try PEM.decode(certificatePEM, label: "CERTIFICATE")
            let certificateKey = try CertificatePublicKey.rsaKey(fromCertificateDER: der)
            guard certificateKey.derRepresentation == privateKey.publicKey.derRepresentation else {
                throw YidanError(.signing, "the certificate does not belong to the private key")
            }
            certificateDER = der
        } else {
            certificateDER = nil
        }
        self.keyName = keyName
        self.algorithm = algorithm
    }

    public func sign(_ data: Data) throws -> Data {
        do {
            let signature: _RSA.Signing.RSASignature
            switch algorithm {
            case .rsaSHA1:
                signature = try privateKey.signature(for: Insecure.SHA1.hash(data: data), padding: .insecurePKCS1v1_5)
            case .rsaSHA256:
                signature = try privateKey.signature(for: SHA256.hash(data: data), padding: .insecurePKCS1v1_5)
            }
            return signature.rawRepresentation
        } catch {
            throw YidanError(.signing, "RSA signing failed", cause: error)
        }
    }
}

/// Minimal PEM reading: the base64 body between BEGIN and END lines.
enum PEM {
    static func decode(_ text: String, label: String) throws -> Data {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) else {
            throw YidanError(.signing, "no \(label) block found in the PEM text")
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), !der.isEmpty else {
            throw YidanError(.signing, "the \(label) PEM block is not valid base64")
        }
        return der
    }
}
