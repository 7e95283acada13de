import Foundation
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// One filing built for an order: mapped, signed and schema-valid, not yet
/// cross-checked or serialized.
typealias BuiltFiling = (kind: MessageKind, guid: String, document: XMLDocument)

/// Building an order's filings, the same way wherever they are built: on
/// accept (`prepare`), for an amendment and for a resubmission. Each filing
/// gets a fresh guid, is signed, and is checked against its schema before
/// anything else looks at it.
extension OrderIntake {
    /// The six import filings (`importFilings`). `appType` gives each customs
    /// message its CEB appType: "1" for a first declaration, "2" where a
    /// version is already on file; the tax and FX filings have none.
    func buildImportFilings(
        _ order: NormalizedOrder, tax: OrderTax, annualBefore: Decimal, now: ZonedDateTime,
        appType: (MessageKind) -> String = { _ in MappingCatalog.newDeclarationAppType }
    ) throws -> [BuiltFiling] {
        try Self.importFilings.map { kind in
            let guid = MessageGUID.make(now: now.instant)
            let document: XMLDocument
            if let authorityKind = AuthorityFilingKind(rawValue: kind.rawValue) {
                document = try catalog.makeAuthorityFiling(authorityKind, order: order, tax: tax, annualBefore: annualBefore, guid: guid, now: now)
            } else {
                document = try catalog.makeFiling(kind, order: order, tax: tax, guid: guid, now: now, appType: appType(kind))
            }
            try XMLSignature.signEnveloped(document, with: signer)
            try checkSchema(document, kind: kind)
            return (kind, guid, document)
        }
    }

    /// The four export declarations (`exportFilings`), mapped with no tax and
    /// signed with the export placement (signature before `ExtendMessage`).
    func buildExportFilings(
        _ order: NormalizedOrder, now: ZonedDateTime, appType: String = MappingCatalog.newDeclarationAppType
    ) throws -> [BuiltFiling] {
        try Self.exportFilings.map { kind in
            let guid = MessageGUID.make(now: now.instant)
            let document = try catalog.makeFiling(kind, order: order, tax: .none, guid: guid, now: now, appType: appType)
            try XMLSignature.signEnveloped(document, with: signer, placement: .forCEB(document))
            try checkSchema(document, kind: kind)
            return (kind, guid, document)
        }
    }

    /// A filing against its schema: the CEB XSD, or the tax/FX authority's own.
    private func checkSchema(_ document: XMLDocument, kind: MessageKind) throws {
        let problems = AuthorityFilingKind(rawValue: kind.rawValue).map { catalog.validate(document, authorityFiling: $0) }
            ?? catalog.validate(document, kind: kind)
        guard problems.isEmpty else {
            throw YidanError(.schema, "\(kind.rawValue) fails its schema: " + problems.map(\.description).joined(separator: "; "))
        }
    }
}
