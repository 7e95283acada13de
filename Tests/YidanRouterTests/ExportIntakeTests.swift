import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanRates
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

    /// The project's example rates for the export fixtures' months (USD, EUR).
    static let exampleRates = RouterHarness.mappings.deletingLastPathComponent()
        .appendingPathComponent("Fixtures/merchant/rates/example-export-rates-2026-11.csv")

    static func environmentWithRates(_ name: String) throws -> (YidanEnvironment, URL) {
        var (environment, folder) = try OrderIntakeFilingsTests.environment(name)
        environment.exchangeRates = try ExchangeRates.load([exampleRates])
        return (environment, folder)
    }

    @Test func everyExportFixtureFilesTheFourExportDeclarationsOnly() async throws {
        let (environment, folder) = try Self.environmentWithRates("export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try MappingCatalog(directory: RouterHarness.mappings)
        let files = try Self.exportFiles()
        #expect(files.count == 4)
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
        let (environment, folder) = try Self.environmentWithRates("export-tamper")
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

    /// The FX record of an export needs its payment in RMB: a foreign-currency
    /// export the intake has no rate for is refused at accept, naming the
    /// currency, and nothing is stored; an RMB export needs no rate at all.
    @Test func aForeignCurrencyExportWithoutARateIsRefusedAtAccept() async throws {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("export-no-rate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try #require(try Self.exportFiles().first { $0.lastPathComponent.hasPrefix("phone-case") })
        do {
            _ = try await environment.intake.submit(json: Data(contentsOf: url))
            Issue.record("a USD export without rates was accepted")
        } catch let failure as ValidationFailure {
            #expect(failure.issues.map(\.pointer) == ["/currency"])
            #expect(failure.issues.first?.value == "USD")
            #expect(failure.issues.first?.rule.contains("USD→CNY rate of 2026-11-29") == true)
            #expect(failure.issues.first?.rule.contains("--rates") == true)
        }
        #expect(try await environment.store.filings(orderNo: "YDX20261129-0101").isEmpty)

        // Rates that lack the month: refused too, with the rate table's reason.
        var withOtherRates = environment
        withOtherRates.exchangeRates = try ExchangeRates.customsMonthly(
            csv: "month,currency,cny_per_unit\n2026-10,USD,7.1000\n", source: "test"
        )
        await #expect(throws: ValidationFailure.self) {
            _ = try await withOtherRates.intake.submit(json: Data(contentsOf: url))
        }

        // The same order paid in RMB converts at 1 without any rate file.
        let rmb = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            .replacingOccurrences(of: "\"currency\": \"USD\"", with: "\"currency\": \"CNY\"")
        let receipt = try await environment.intake.submit(json: Data(rmb.utf8))
        #expect(receipt.isNew && receipt.filings.map(\.kind) == MessageKind.exportDeclaration)
    }
}
