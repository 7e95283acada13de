import Foundation
import YidanXML
import YidanCore

/// The pieces of an enveloped `ds:Signature` that verification needs, checked
/// against what yidan supports: one signature, one same-document reference,
/// Canonical XML 1.0 without comments, RSA with SHA-1 or SHA-256.
struct SignatureParts {
    let signature: XMLNode
    let signedInfo: XMLNode
    let algorithm: SignatureAlgorithm
    let digestAlgorithm: DigestAlgorithm
    let digestValue: Data
    let signatureValue: Data
    let certificateDER: Data?

    init(_ document: XMLDocument) throws {
        let ds = XMLDSig.namespace
        let signature = try Self.onlySignature(in: document)
        guard let signedInfo = signature.firstChild("SignedInfo", namespaceURI: ds) else {
            throw Self.missing("SignedInfo")
        }
        let canonicalization = signedInfo.firstChild("CanonicalizationMethod", namespaceURI: ds)?.attribute("Algorithm")
        guard canonicalization == XMLDSig.c14n10 else {
            throw Self.unsupported("CanonicalizationMethod", canonicalization)
        }
        let method = signedInfo.firstChild("SignatureMethod", namespaceURI: ds)?.attribute("Algorithm")
        guard let method, let algorithm = SignatureAlgorithm(signatureMethodURI: method) else {
            throw Self.unsupported("SignatureMethod", method)
        }
        let references = signedInfo.children("Reference", namespaceURI: ds)
        guard references.count == 1, let reference = references.first else {
            throw YidanError(.signing, "the signature has \(references.count) ds:Reference elements; exactly one is supported")
        }
        guard reference.attribute("URI") == "" else {
            throw YidanError(.signing, "only an enveloped reference to the whole document (URI=\"\") is supported")
        }
        let transforms = reference.firstChild("Transforms", namespaceURI: ds)?.children("Transform", namespaceURI: ds) ?? []
        let transformURIs = transforms.map { $0.attribute("Algorithm") ?? "" }
        guard transformURIs.contains(XMLDSig.envelopedSignature) else {
            throw YidanError(.signing, "the reference lacks the enveloped-signature transform")
        }
        // The enveloped transform followed by C14N 1.0 is the same as the default
        // C14N 1.0 of the remaining node-set; anything else is not supported.
        if let other = transformURIs.first(where: { $0 != XMLDSig.envelopedSignature && $0 != XMLDSig.c14n10 }) {
            throw Self.unsupported("Transform", other)
        }
        let digestMethod = reference.firstChild("DigestMethod", namespaceURI: ds)?.attribute("Algorithm")
        guard let digestMethod, let digestAlgorithm = DigestAlgorithm(uri: digestMethod) else {
            throw Self.unsupported("DigestMethod", digestMethod)
        }
        guard let digestText = reference.firstChild("DigestValue", namespaceURI: ds)?.text else {
            throw Self.missing("DigestValue")
        }
        guard let signatureText = signature.firstChild("SignatureValue", namespaceURI: ds)?.text else {
            throw Self.missing("SignatureValue")
        }

        self.signature = signature
        self.signedInfo = signedInfo
        self.algorithm = algorithm
        self.digestAlgorithm = digestAlgorithm
        self.digestValue = try Self.base64(digestText, "DigestValue")
        self.signatureValue = try Self.base64(signatureText, "SignatureValue")
        self.certificateDER = try Self.certificateDER(in: signature)
    }

    /// The document's one `ds:Signature`, wherever it is.
    static func onlySignature(in document: XMLDocument) throws -> XMLNode {
        let signatures = document.elements(named: "Signature", namespaceURI: XMLDSig.namespace)
        guard let signature = signatures.first else {
            throw YidanError(.signing, "the document has no ds:Signature")
        }
        guard signatures.count == 1 else {
            throw YidanError(.signing, "the document has \(signatures.count) ds:Signature elements; exactly one is supported")
        }
        return signature
    }

    /// `ds:KeyInfo/ds:X509Data/ds:X509Certificate` as DER, if present.
    static func certificateDER(in signature: XMLNode) throws -> Data? {
        let ds = XMLDSig.namespace
        let text = signature.firstChild("KeyInfo", namespaceURI: ds)?
            .firstChild("X509Data", namespaceURI: ds)?
            .firstChild("X509Certificate", namespaceURI: ds)?.text
        return try text.map { try base64($0, "X509Certificate") }
    }

    /// Base64 as XML-DSig writes it: line breaks and spaces allowed anywhere.
    private static func base64(_ text: String, _ element: String) throws -> Data {
        let compact = Base64Text.removingWhitespace(text)
        guard let data = Data(base64Encoded: compact) else {
            throw YidanError(.signing, "ds:\(element) is not valid base64")
        }
        return data
    }

    private static func missing(_ element: String) -> YidanError {
        YidanError(.signing, "the signature lacks ds:\(element)")
    }

    private static func unsupported(_ element: String, _ uri: String?) -> YidanError {
        YidanError(.signing, "unsupported ds:\(element) Algorithm \"\(uri ?? "(none)")\"")
    }
}
