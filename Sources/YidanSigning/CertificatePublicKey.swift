import Foundation
import Synchronization
import _CryptoExtras
import YidanCore

/// Reads the RSA public key out of an X.509 certificate.
///
/// Only the path to `subjectPublicKeyInfo` is walked (RFC 5280 §4.1):
/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
/// serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … } … }.
/// The certificate is not checked further: trust is decided by whoever compares it.
enum CertificatePublicKey {
    static func subjectPublicKeyInfo(fromCertificateDER der: Data) throws -> Data {
        var encoded = DERReader(Array(der))
        var certificate = try encoded.readConstructed(tag: DERReader.sequence, what: "Certificate")
        var fields = try certificate.readConstructed(tag: DERReader.sequence, what: "tbsCertificate")
        if fields.peekTag == 0xA0 {
            _ = try fields.readElement(what: "version")
        }
        for (tag, what) in [(DERReader.integer, "serialNumber"), (DERReader.sequence, "signature"), (DERReader.sequence, "issuer"),
                            (DERReader.sequence, "validity"), (DERReader.sequence, "subject")] {
            let element = try fields.readElement(what: what)
            guard element.tag == tag else { throw DERReader.malformed(what) }
        }
        let spki = try fields.readElement(what: "subjectPublicKeyInfo")
        guard spki.tag == DERReader.sequence else { throw DERReader.malformed("subjectPublicKeyInfo") }
        return Data(spki.encoded)
    }

    /// Accepts keys of 1024 bits or more: counterparts' certificates may be old.
    static func rsaKey(fromCertificateDER der: Data) throws -> _RSA.Signing.PublicKey {
        if let known = recentKeys.withLock({ $0[der] }) {
            return known
        }
        let spki = try subjectPublicKeyInfo(fromCertificateDER: der)
        let key: _RSA.Signing.PublicKey
        do {
            key = try _RSA.Signing.PublicKey(unsafeDERRepresentation: spki)
        } catch {
            throw YidanError(.signing, "the certificate does not hold an RSA public key of at least 1024 bits")
        }
        recentKeys.withLock { keys in
            if keys.count >= recentKeysLimit { keys.removeAll(keepingCapacity: true) }
            keys[der] = key
        }
        return key
    }

    /// Keys read from certificates lately, by the certificate's DER. A
    /// verifier sees the same few certificates on every message (a
    /// counterpart signs with one key for years), and BoringSSL's parse of
    /// the key was ~1.5 % of the dispatch benchmark's CPU through the
    /// simulator's checks. Only successfully parsed keys are kept; a full
    /// table is emptied rather than ordered, as it holds a handful in practice.
    private static let recentKeys = Mutex<[Data: _RSA.Signing.PublicKey]>([:])
    private static let recentKeysLimit = 64
}

/// A reader for the few DER constructs a certificate's outer layers use.
struct DERReader {
    static let integer: UInt8 = 0x02
    static let sequence: UInt8 = 0x30

    struct Element {
        var tag: UInt8
        var content: ArraySlice<UInt8>
        /// Tag, length and content: the element exactly as encoded.
        var encoded: ArraySlice<UInt8>
    }

    private let bytes: [UInt8]
    private var index: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, range: bytes.indices)
    }

    private init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.end = range.upperBound
    }

    var peekTag: UInt8? { index < end ? bytes[index] : nil }

    static func malformed(_ what: String) -> YidanError {
        YidanError(.signing, "the certificate is not valid DER (at \(what))")
    }

    mutating func readElement(what: String) throws -> Element {
        let start = index
        guard index + 2 <= end else { throw Self.malformed(what) }
        let tag = bytes[index]
        // Multi-byte tags (low five bits all set) never occur on this path.
        guard tag & 0x1F != 0x1F else { throw Self.malformed(what) }
        var length = Int(bytes[index + 1])
        index += 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard (1...4).contains(count), index + count <= end else { throw Self.malformed(what) }
            length = 0
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard length <= end - index else { throw Self.malformed(what) }
        let content = bytes[index..<(index + length)]
        index += length
        return Element(tag: tag, content: content, encoded: bytes[start..<index])
    }

    mutating func readConstructed(tag: UInt8, what: String) throws -> DERReader {
        let element = try readElement(what: what)
        guard element.tag == tag else { throw Self.malformed(what) }
        return DERReader(bytes, range: element.content.indices)
    }
}
