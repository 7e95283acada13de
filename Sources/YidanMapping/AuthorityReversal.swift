public import Foundation
public import YidanCore
public import YidanXML

extension MappingCatalog {
    /// The reversal of a tax or FX filing, for a cancelled or returned order
    /// (docs/filings.md, "Reversals"): the reversed filing restated with a new
    /// guid and filing time, and a `reverses` element naming it. The amounts
    /// stay as filed and count negatively, so the authority can match the
    /// reversal to its record amount for amount.
    ///
    /// - Parameter original: the reversed filing's stored payload (signed);
    ///   its signature is dropped, the caller signs the reversal.
    /// - Throws: `YidanError(.schema)` when the original is not a v1 filing of
    ///   `kind` or the reversal fails its schema.
    public func makeReversal(
        of original: Data, kind: AuthorityFilingKind, guid: String, now: ZonedDateTime
    ) throws -> XMLDocument {
        try Self.requireFilingGUID(guid)
        let document = try XMLDocument.parse(original)
        guard let root = document.root, root.localName == kind.rootElement, root.namespaceURI == kind.namespaceURI,
              let body = root.firstChild(Self.reversalBody(kind), namespaceURI: kind.namespaceURI),
              let reversed = root.attribute("guid")
        else {
            throw YidanError(.schema, "the filing to reverse is not a {\(kind.namespaceURI)}\(kind.rootElement)")
        }
        guard body.firstChild("reverses", namespaceURI: kind.namespaceURI) == nil else {
            throw YidanError(.invalidOrder, "\(kind.rawValue) \(reversed) is itself a reversal")
        }
        for signature in root.children("Signature", namespaceURI: "http://www.w3.org/2000/09/xmldsig#") {
            signature.remove()
        }
        root.setAttribute("guid", guid)
        body.firstChild("guid", namespaceURI: kind.namespaceURI)?.setText(guid)
        body.firstChild("appTime", namespaceURI: kind.namespaceURI)?.setText(now.format("yyyyMMddHHmmss", inOffset: ZonedDateTime.beijingOffsetSeconds))
        _ = body.addChild("reverses", namespaceURI: kind.namespaceURI, prefix: body.prefix, text: reversed)
        let issues = validate(document, authorityFiling: kind)
        guard issues.isEmpty else {
            throw YidanError(.schema, "\(kind.rawValue) reversal fails Mappings/\(kind.schemaFile): " + issues.map(\.description).joined(separator: "; "))
        }
        return document
    }

    /// The element holding `guid`, `appTime` and the amounts.
    static func reversalBody(_ kind: AuthorityFilingKind) -> String { kind == .taxImport ? "Head" : "Record" }

    /// The guid a reversal names, or nil for a filing that reverses nothing.
    public static func reversedGuid(in document: XMLDocument, kind: AuthorityFilingKind) -> String? {
        document.root?.firstChild(reversalBody(kind), namespaceURI: kind.namespaceURI)?
            .firstChild("reverses", namespaceURI: kind.namespaceURI)?.text
    }
}
