public import Foundation
public import YidanXML
import Crypto
import _CryptoExtras
import YidanCore

/// Enveloped XML-DSig signatures over a whole document, as customs expects:
/// Reference URI="", the enveloped-signature transform, Canonical XML 1.0
/// (inclusive, no comments) and RSA PKCS#1 v1.5.
public enum XMLSignature {
    /// Signs `document` and puts `ds:Signature` among the root's children where
    /// `placement` says: last by default (import CEB messages put it after
    /// ExtendMessage); `SignaturePlacement.forCEB(document)` chooses by root, so
    /// export messages get it before ExtendMessage.
    ///
    /// Serialize the result with `pretty: false`: added indentation would change
    /// the signed content.
    public static func signEnveloped(_ document: XMLDocument, with signer: any Signer, placement: SignaturePlacement = .last) throws {
        guard let root = document.root else {
            throw YidanError(.signing, "cannot sign a document without a root element")
        }
        guard root.children("Signature", namespaceURI: XMLDSig.namespace).isEmpty else {
            throw YidanError(.signing, "the document is already signed")
        }
        let algorithm = signer.algorithm

        let signature = root.addChild("Signature", namespaceURI: XMLDSig.namespace, prefix: XMLDSig.prefix)
        // The enveloped transform leaves the signature out of the digest, so its
        // position changes nothing that is signed; it only has to satisfy the schema.
        placement.place(signature, in: root)
        do {
            let signedInfo = signature.addChild("SignedInfo")
            signedInfo.addChild("CanonicalizationMethod").setAttribute("Algorithm", XMLDSig.c14n10)
            signedInfo.addChild("SignatureMethod").setAttribute("Algorithm", algorithm.signatureMethodURI)
            let reference = signedInfo.addChild("Reference")
            reference.setAttribute("URI", "")
            reference.addChild("Transforms").addChild("Transform").setAttribute("Algorithm", XMLDSig.envelopedSignature)
            reference.addChild("DigestMethod").setAttribute("Algorithm", algorithm.digestMethodURI)
            let digest = algorithm.digest.hash(try document.canonicalized(excluding: signature))
            reference.addChild("DigestValue", text: digest.base64EncodedString())

            // SignedInfo is canonicalized in place, so the namespaces it inherits
            // (ds, and the message's own) are part of what is signed.
            let signatureValue = try signer.sign(try document.canonicalized(subtree: signedInfo))
            signature.addChild("SignatureValue", text: signatureValue.base64EncodedString())

            let keyInfo = signature.addChild("KeyInfo")
            keyInfo.addChild("KeyName", text: signer.keyName)
            if let certificate = signer.certificateDER {
                keyInfo.addChild("X509Data").addChild("X509Certificate", text: certificate.base64EncodedString())
            }
        } catch {
            signature.remove()
            if let yidanError = error as? YidanError { throw yidanError }
            throw YidanError(.signing, "signing failed", cause: error)
        }
    }

    /// Verifies the document's enveloped signature with the certificate in its
    /// `ds:KeyInfo`. Returns false when the content or the signature value does
    /// not match; throws `YidanError(.signing)` when there is no signature or it
    /// uses something yidan does not support.
    ///
    /// This proves integrity, not identity: compare `signingCertificate(of:)`
    /// with the certificate you expect, or use `verify(_:certificateDER:)`.
    public static func verify(_ document: XMLDocument) throws -> Bool {
        let parts = try SignatureParts(document)
        guard let certificate = parts.certificateDER else {
            throw YidanError(.signing, "the signature carries no X509Certificate to verify with")
        }
        return try verify(parts, in: document, certificateDER: certificate)
    }

    /// Verifies the document's enveloped signature with a known certificate,
    /// ignoring any certificate the document carries.
    public static func verify(_ document: XMLDocument, certificateDER: Data) throws -> Bool {
        try verify(try SignatureParts(document), in: document, certificateDER: certificateDER)
    }

    /// The DER certificate in the document's `ds:KeyInfo`, if any, whatever
    /// algorithms the signature uses. Throws when there is no single signature.
    public static func signingCertificate(of document: XMLDocument) throws -> Data? {
        try SignatureParts.certificateDER(in: SignatureParts.onlySignature(in: document))
    }

    private static func verify(_ parts: SignatureParts, in document: XMLDocument, certificateDER: Data) throws -> Bool {
        let publicKey = try CertificatePublicKey.rsaKey(fromCertificateDER: certificateDER)
        let digest = parts.digestAlgorithm.hash(try document.canonicalized(excluding: parts.signature))
        guard digest == parts.digestValue else { return false }
        let signedInfo = try document.canonicalized(subtree: parts.signedInfo)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: parts.signatureValue)
        switch parts.algorithm {
        case .rsaSHA1:
            return publicKey.isValidSignature(signature, for: Insecure.SHA1.hash(data: signedInfo), padding: .insecurePKCS1v1_5)
        case .rsaSHA256:
            return publicKey.isValidSignature(signature, for: SHA256.hash(data: signedInfo), padding: .insecurePKCS1v1_5)
        }
    }
}
