import Foundation
import Crypto

/// The RSA signature methods yidan writes and verifies (PKCS#1 v1.5).
public enum SignatureAlgorithm: Sendable, Hashable, CaseIterable {
    case rsaSHA1
    case rsaSHA256

    /// The XML-DSig `SignatureMethod/@Algorithm`.
    public var signatureMethodURI: String {
        switch self {
        case .rsaSHA1: XMLDSig.rsaSHA1
        case .rsaSHA256: XMLDSig.rsaSHA256
        }
    }

    /// The `DigestMethod/@Algorithm` written with this signature method.
    public var digestMethodURI: String {
        digest.uri
    }

    /// The algorithm named by a `SignatureMethod/@Algorithm`, if supported.
    public init?(signatureMethodURI: String) {
        guard let algorithm = Self.allCases.first(where: { $0.signatureMethodURI == signatureMethodURI }) else { return nil }
        self = algorithm
    }

    var digest: DigestAlgorithm {
        switch self {
        case .rsaSHA1: .sha1
        case .rsaSHA256: .sha256
        }
    }
}

/// The digest methods of `ds:Reference`; a reference may use a different one
/// from the signature method.
enum DigestAlgorithm: CaseIterable {
    case sha1
    case sha256

    var uri: String {
        switch self {
        case .sha1: XMLDSig.sha1
        case .sha256: XMLDSig.sha256
        }
    }

    init?(uri: String) {
        guard let algorithm = Self.allCases.first(where: { $0.uri == uri }) else { return nil }
        self = algorithm
    }

    func hash(_ data: Data) -> Data {
        switch self {
        case .sha1: Data(Insecure.SHA1.hash(data: data))
        case .sha256: Data(SHA256.hash(data: data))
        }
    }
}

/// The XML-DSig names yidan uses.
enum XMLDSig {
    static let namespace = "http://www.w3.org/2000/09/xmldsig#"
    static let prefix = "ds"
    static let c14n10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    static let envelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    static let rsaSHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    static let rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    static let sha1 = "http://www.w3.org/2000/09/xmldsig#sha1"
    static let sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
}
