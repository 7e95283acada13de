import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML
@testable import YidanSimulator

/// CEB701 summary requests posted to the gateway over loopback HTTP, after the
/// export declarations they summarise were released.
@Suite struct ExportSummaryGatewayTests {
    /// Declares and releases one export fixture; returns its order and the CEB604 invtNo.
    static func release(_ fixture: String, in harness: SimulatorHarness) async throws -> (NormalizedOrder, String) {
        let order = try ExportSamples.order(fixture)
        var inventoryGuid = ""
        for kind in MessageKind.exportDeclaration {
            let guid = SampleOrder.guid()
            if kind == .ceb603 { inventoryGuid = guid }
            #expect(try await harness.post(ExportSamples.build(kind, order, guid: guid), key: "\(fixture)-\(kind.rawValue)").status == 200)
        }
        await harness.simulator.waitUntilIdle()
        let receipts = try harness.inboxReceipts(forGuid: inventoryGuid)
        #expect(receipts.map(\.status) == ["2", "120", "399", "800"])
        let first = try #require(receipts.first)
        return (order, try #require(ExportSamples.field(first.document, "invtNo")))
    }

    static func summary(_ order: NormalizedOrder, invtNo: String, guid: String) throws -> XMLDocument {
        let document = try ExportSamples.catalog.get().makeSummaryFiling(
            order: order, summary: ExportSummaryInputs(invtNo: invtNo), guid: guid, now: ZonedDateTime.now()
        )
        return try TestSigning.sign(document)
    }

    static func text(_ document: XMLDocument, _ xpath: String) throws -> [String] {
        try document.select(xpath, namespaces: ["c": CEBSamples.ceb]).map(\.text)
    }

    @Test func aReleasedFlagBInventoryIsSummarisedInto702And792WithAnEntryId() async throws {
        try await SimulatorHarness.with { harness async throws in
            let (order, invtNo) = try await Self.release("kitchenware-9810-overseas-warehouse", in: harness)
            let guid = SampleOrder.guid()
            #expect(try await harness.post(Self.summary(order, invtNo: invtNo, guid: guid), key: "summary-1").status == 200)
            await harness.simulator.waitUntilIdle()

            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map { String($0.file.prefix(6)) } == ["CEB702", "CEB702", "CEB792"])
            #expect(receipts.prefix(2).map(\.status) == ["2", "120"])
            let schema = try ExportSamples.exportSchema.get()
            for receipt in receipts {
                let issues = schema.validate(receipt.document)
                #expect(issues.isEmpty, "\(receipt.file): \(issues.map(\.description))")
            }
            let entered = receipts[1].document
            let sumNo = try #require(try Self.text(entered, "//c:SummaryReturn/c:sumNo").first)
            let result = receipts[2].document
            #expect(try Self.text(result, "//c:SummaryResultHead/c:guid") == [guid])
            #expect(try Self.text(result, "//c:SummaryResultHead/c:sumNo") == [sumNo])
            let entryId = try #require(try Self.text(result, "//c:SummaryResultHead/c:entryId").first)
            #expect(entryId.count == 18 && entryId.allSatisfy(\.isNumber) && entryId.hasPrefix("2248") && Array(entryId)[8] == "1")
            #expect(try Self.text(result, "//c:SummaryResultList/c:invtNo").allSatisfy { $0 == invtNo })
            #expect(try Self.text(result, "//c:SummaryResultList/c:gcode") == order.items.map(\.gcode))
            #expect(try Self.text(result, "//c:SummaryResultList/c:gseqno") == order.items.indices.map { String($0 + 1) })

            // The same inventory again: already summarised.
            let again = SampleOrder.guid()
            #expect(try await harness.post(Self.summary(order, invtNo: invtNo, guid: again), key: "summary-2").status == 200)
            await harness.simulator.waitUntilIdle()
            #expect(try harness.inboxReceipts(forGuid: again).map(\.status) == ["-701005"])
        }
    }

    @Test func flagAUnknownOrUnreleasedInventoriesAreRefused() async throws {
        try await SimulatorHarness.with { harness async throws in
            let (order, invtNo) = try await Self.release("phone-case-9610-export", in: harness)
            let simplified = SampleOrder.guid()
            #expect(try await harness.post(Self.summary(order, invtNo: invtNo, guid: simplified), key: "a").status == 200)
            let unknown = SampleOrder.guid()
            #expect(try await harness.post(Self.summary(order, invtNo: "51412026E999999999", guid: unknown), key: "b").status == 200)
            await harness.simulator.waitUntilIdle()
            #expect(try harness.inboxReceipts(forGuid: simplified).map(\.status) == ["-701003"])
            #expect(try harness.inboxReceipts(forGuid: unknown).map(\.status) == ["-701002"])
            let refusal = try #require(try harness.inboxReceipts(forGuid: unknown).first)
            #expect(try ExportSamples.exportSchema.get().validate(refusal.document).isEmpty)
            #expect(await harness.simulator.stats().rejections == 2)
        }
    }
}

/// The export tax record (`TaxExportFiling`) at the tax desk, posted to the same
/// `/tax/filings` as import tax filings and judged against the released CEB603.
@Suite struct ExportTaxDeskTests {
    static func record(_ order: NormalizedOrder, invtNo: String, guid: String, entryId: String? = nil) throws -> XMLDocument {
        let document = try ExportSamples.catalog.get().makeAuthorityFiling(
            .taxExport, order: order, tax: .none, annualBefore: 0, declarationNo: entryId, inventoryNo: invtNo,
            guid: guid, now: ZonedDateTime.now()
        )
        return try TestSigning.sign(document)
    }

    @Test func aRecordAgreeingWithTheReleasedInventoryIsAcceptedAndADifferentTotalRefused() async throws {
        try await SimulatorHarness.with { harness async throws in
            let (order, invtNo) = try await ExportSummaryGatewayTests.release("phone-case-9610-export", in: harness)
            let guid = SampleOrder.guid()
            let response = try await harness.postFiling("tax", Self.record(order, invtNo: invtNo, guid: guid), key: "tax-export-1")
            #expect(response.status == 200)
            #expect(try harness.ack(response).status == "received")
            await harness.simulator.waitUntilIdle()
            #expect(try harness.authorityReceipts(.taxReceipt, guid: guid).map(\.status) == ["1", "2"])

            // The same record with another total: the tax authority sees customs disagree.
            let tampered = SampleOrder.guid()
            let document = try ExportSamples.catalog.get().makeAuthorityFiling(
                .taxExport, order: order, tax: .none, annualBefore: 0, inventoryNo: invtNo, guid: tampered, now: ZonedDateTime.now()
            )
            let head = try #require(document.root?.elementChildren.first)
            try #require(head.elementChildren.first { $0.localName == "totalAmount" }).setText("99.00")
            #expect(try await harness.postFiling("tax", document, key: "tax-export-2").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.authorityReceipts(.taxReceipt, guid: tampered)
            #expect(receipts.map(\.status) == ["1", "-3"])
            #expect(receipts.last?.info.contains("totalAmount 99.00") == true)
            let stats = await harness.simulator.stats()
            #expect(stats.authorities["tax"]?.filingsAccepted == 2)
        }
    }

    @Test func anImportTaxFilingStillReachesTheSameEndpoint() throws {
        let tax: [AuthorityFilingKind] = [.taxImport, .taxExport]
        #expect(AuthorityFilingKind.filed(in: try XMLDocument.parse(Data("<TaxImportFiling xmlns=\"urn:yidan:filing:tax:v1\"/>".utf8)), among: tax) == .taxImport)
        #expect(AuthorityFilingKind.filed(in: try XMLDocument.parse(Data("<TaxExportFiling xmlns=\"urn:yidan:filing:tax-export:v1\"/>".utf8)), among: tax) == .taxExport)
        let examiner = try RequestExaminer(schemaURL: TestPaths.schema)
        let unreadable = examiner.examineFiling(Data("not xml".utf8), among: tax)
        guard case .invalid(let kind, let reason) = unreadable else {
            Issue.record("a body that is not XML was examined as a filing")
            return
        }
        #expect(kind == .taxImport)
        #expect(reason.hasPrefix("not a TaxImportFiling"))
    }
}
