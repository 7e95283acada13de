import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// The export tax record (`TAX-EXPORT`, `Mappings/authorities/TAX-EXPORT.yaml`,
/// `schemas/tax-export-v1.xsd`) of both export fixtures: flag B with the CEB792
/// entryId, flag A without.
@Suite("TAX-EXPORT records match their goldens and tax-export-v1.xsd")
struct ExportTaxRecordTests {
    static let cases: [(fixture: String, entryId: String?)] = [
        ("kitchenware-9810-overseas-warehouse", "224820261000000042"),
        ("phone-case-9610-export", nil),
    ]
    static let invtNo = "22482026E000000042"
    static let guid = "5C1E0A7E-0000-4000-8000-00000000E7A0"
    static let ns = ["txe": "urn:yidan:filing:tax-export:v1"]

    static func build(_ fixture: String, entryId: String?) throws -> XMLDocument {
        try Shared.catalog.get().makeAuthorityFiling(
            .taxExport, order: ExportFixtures.load(fixture), tax: .none, annualBefore: 0,
            declarationNo: entryId, inventoryNo: invtNo, guid: guid, now: Shared.now
        )
    }

    @Test(arguments: cases.map(\.fixture))
    func matchesGoldenFileAndValidatesSigned(fixture: String) throws {
        let entryId = Self.cases.first { $0.fixture == fixture }?.entryId
        let document = try Self.build(fixture, entryId: entryId)
        try expectMatchesGolden(document.serialized(pretty: true), named: "export-\(fixture)-TAX-EXPORT.xml")
        try XMLSignature.signEnveloped(document, with: TestSigner.signer.get())
        let issues = try Shared.catalog.get().validate(document, authorityFiling: .taxExport)
        #expect(issues.isEmpty, "\(issues.map(\.description))")
    }

    @Test func theRecordCarriesTheInventoryItsItemsAndTheEntryIdOnlyWhenKnown() throws {
        let summarised = try Self.build("kitchenware-9810-overseas-warehouse", entryId: "224820261000000042")
        let order = try ExportFixtures.load("kitchenware-9810-overseas-warehouse")
        func text(_ document: XMLDocument, _ path: String) throws -> [String] {
            try document.select(path, namespaces: Self.ns).map(\.text)
        }
        #expect(try text(summarised, "/txe:TaxExportFiling/txe:Head/txe:invtNo") == [Self.invtNo])
        #expect(try text(summarised, "/txe:TaxExportFiling/txe:Head/txe:entryId") == ["224820261000000042"])
        #expect(try text(summarised, "/txe:TaxExportFiling/txe:Head/txe:statisticsFlag") == ["B"])
        #expect(try text(summarised, "/txe:TaxExportFiling/txe:Head/txe:currency") == [order.currency])
        #expect(try text(summarised, "//txe:Item/txe:gcode") == order.items.map(\.gcode))
        let amounts = try text(summarised, "//txe:Item/txe:amount").compactMap(Money.parse)
        let total = try #require(try text(summarised, "/txe:TaxExportFiling/txe:Head/txe:totalAmount").first.flatMap(Money.parse))
        #expect(amounts.reduce(0, +) == total)
        let simplified = try Self.build("phone-case-9610-export", entryId: nil)
        #expect(try text(simplified, "/txe:TaxExportFiling/txe:Head/txe:entryId").isEmpty)
    }

    @Test func aRecordWithoutItsInventoryNumberCannotBeBuilt() throws {
        #expect(throws: YidanError.self) {
            try Shared.catalog.get().makeAuthorityFiling(
                .taxExport, order: ExportFixtures.load("phone-case-9610-export"), tax: .none, annualBefore: 0,
                guid: Self.guid, now: Shared.now
            )
        }
        #expect(MessageKind.taxExport.authority == .tax)
        #expect(MessageKind.taxExport.receiptKind == .taxReceipt)
        #expect(MessageKind.taxExport.rootElement == AuthorityFilingKind.taxExport.rootElement)
    }
}
