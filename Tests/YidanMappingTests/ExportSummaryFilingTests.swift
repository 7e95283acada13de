import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// CEB701 summary requests (`Mappings/ceb/CEB701.yaml`) built from the
/// statisticsFlag B export fixture and the number customs gave its inventory.
@Suite("CEB701 summary request maps to its golden and both export schemas")
struct ExportSummaryFilingTests {
    static let fixture = "kitchenware-9810-overseas-warehouse"
    static let invtNo = "22482026E000000042"

    static func build() throws -> XMLDocument {
        try Shared.catalog.get().makeSummaryFiling(
            order: ExportFixtures.load(fixture), summary: ExportSummaryInputs(invtNo: invtNo),
            guid: Shared.guid(.ceb701), now: Shared.now
        )
    }

    @Test func matchesGoldenFile() throws {
        try expectMatchesGolden(Self.build().serialized(pretty: true), named: "export-\(Self.fixture)-CEB701.xml")
    }

    @Test func signedItValidatesAgainstTheOfficialAndTheProjectSchema() throws {
        let document = try Self.build()
        try XMLSignature.signEnveloped(document, with: TestSigner.signer.get(), placement: .forCEB(document))
        #expect(try #require(document.root).elementChildren.map(\.localName) == ["SummaryApply", "BaseTransfer", "Signature"])
        let official = try ExportFixtures.officialExportSchema.get().validate(document)
        #expect(official.isEmpty, "official export XSD: \(official.map(\.description))")
        let own = try Shared.catalog.get().validate(document, kind: .ceb701)
        #expect(own.isEmpty, "Mappings/schemas/ceb-export.xsd: \(own.map(\.description))")
    }

    @Test func itListsTheInventoryUnderTheConsignorAndItsBroker() throws {
        let document = try Self.build()
        let head = "/ceb:CEB701Message/ceb:SummaryApply/ceb:SummaryApplyHead/ceb:"
        #expect(try ExportFixtures.text(document, "/ceb:CEB701Message/ceb:SummaryApply/ceb:SummaryApplyList/ceb:invtNo") == [Self.invtNo])
        #expect(try ExportFixtures.text(document, head + "ebcCode") == ["3105960E33"])
        #expect(try ExportFixtures.text(document, head + "customsCode") == ["2248"])
        #expect(try ExportFixtures.text(document, head + "declAgentCode") == ExportFixtures.text(document, head + "agentCode"))
        #expect(try ExportFixtures.text(document, head + "summaryFlag") == ["1"])
        #expect(try ExportFixtures.text(document, head + "guid") == [Shared.guid(.ceb701)])
    }

    @Test func aSummaryIsAnExportMessageAnsweredBy702And792() {
        #expect(MessageKind.ceb701.direction == .export)
        #expect(MessageKind.ceb701.receiptKind == .ceb702)
        #expect(ReceiptKind.ceb792.answers == .ceb701)
        #expect(MessageKind.ceb701.finalSuccess == .concluded)
        #expect(MappingCatalog.schemaFile(for: .ceb701) == "schemas/ceb-export.xsd")
    }
}
