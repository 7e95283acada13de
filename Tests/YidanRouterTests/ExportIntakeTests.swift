import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanRouter
import YidanSigning
import YidanStore
import YidanXML

@Suite("An accepted export order files CEB303/403/505/603, signed, schema-valid and consistent")
struct ExportIntakeTests {
    static let exportOrders = RouterHarness.mappings.deletingLastPathComponent().appendingPathComponent("Fixtures/orders/export")
    static let ceb = ["ceb": "http://www.chinaport.gov.cn/ceb"]

    static func exportFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: exportOrders.path).filter { $0.hasSuffix(".json") }.sorted()
            .map { exportOrders.appendingPathComponent($0) }
    }

    @Test func bothExportFixturesFileTheFourExportDeclarationsOnly() async throws {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try MappingCatalog(directory: RouterHarness.mappings)
        let files = try Self.exportFiles()
        #expect(files.count == 2)
        for url in files {
            let receipt = try await environment.intake.submit(json: Data(contentsOf: url))
            #expect(receipt.isNew)
            #expect(receipt.filings.map(\.kind) == [.ceb303, .ceb403, .ceb505, .ceb603])
            #expect(receipt.taxTotal == 0)
            var documents: [MessageKind: XMLDocument] = [:]
            for filing in try await environment.store.filings(orderNo: receipt.orderNo) {
                let document = try XMLDocument.parse(filing.payload)
                #expect(try XMLSignature.verify(document), "\(filing.kind.rawValue) of \(url.lastPathComponent)")
                #expect(catalog.validate(document, kind: filing.kind).isEmpty)
                // Export placement: the signature is the last child here (no ExtendMessage), after BaseTransfer.
                #expect(document.root?.elementChildren.suffix(2).map(\.localName) == ["BaseTransfer", "Signature"])
                documents[filing.kind] = document
            }
            #expect(ExportFilingCheck().differences(documents) == [])
            let again = try await environment.intake.submit(json: Data(contentsOf: url))
            #expect(!again.isNew && again.filings.map(\.id) == receipt.filings.map(\.id))
        }
    }

    @Test func aTamperedExportInventoryIsRefusedFieldByField() async throws {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("export-tamper")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try #require(try Self.exportFiles().first { $0.lastPathComponent.hasPrefix("phone-case") })
        let receipt = try await environment.intake.submit(json: Data(contentsOf: url))
        var documents: [MessageKind: XMLDocument] = [:]
        for filing in try await environment.store.filings(orderNo: receipt.orderNo) {
            documents[filing.kind] = try XMLDocument.parse(filing.payload)
        }
        let inventory = try #require(documents[.ceb603])
        try inventory.select("//ceb:InventoryList[ceb:gnum='2']/ceb:qty", namespaces: Self.ceb).first?.setText("3")
        try inventory.select("//ceb:InventoryHead/ceb:freight", namespaces: Self.ceb).first?.setText("9.99")
        let charge = try #require(documents[.ceb403])
        try charge.select("//ceb:Receipts/ceb:charge", namespaces: Self.ceb).first?.setText("50.00")
        let issues = ExportFilingCheck().differences(documents)
        #expect(issues.contains { $0.pointer.hasPrefix("CEB603 ") && $0.pointer.hasSuffix("/ceb:qty") && $0.value == "3" && $0.rule.hasPrefix("item 2 qty") })
        #expect(issues.contains { $0.pointer.hasPrefix("CEB603 ") && $0.pointer.hasSuffix("/ceb:freight") && $0.value == "9.99" })
        #expect(issues.contains { $0.pointer.hasPrefix("CEB403 ") && $0.value == "50.00" && $0.rule.contains("must not exceed") })
        #expect(issues.count == 3)
        #expect(throws: ValidationFailure.self) { try ExportFilingCheck().check(documents) }
    }
}
