import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanRouter
import YidanSigning
import YidanStore
import YidanXML

@Suite("An accepted import order files four CEB messages, a tax and an FX filing")
struct OrderIntakeFilingsTests {
    static func environment(_ name: String) throws -> (YidanEnvironment, URL) {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-router-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: RouterHarness.mappings.path
        )
        return (environment, folder)
    }

    @Test("every fixture order: six filings stored in one go, signed, schema-valid, consistent")
    func fixturesFileSix() async throws {
        let (environment, folder) = try Self.environment("fixtures")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try MappingCatalog(directory: RouterHarness.mappings)
        let check = CrossFilingCheck(catalog: catalog)

        for url in try RouterHarness.orderFiles() {
            let receipt = try await environment.intake.submit(json: Data(contentsOf: url))
            #expect(receipt.isNew)
            #expect(receipt.filings.map(\.kind) == [.ceb311, .ceb411, .ceb511, .ceb621, .taxImport, .fxPayment])
            #expect(OrderIntake.importFilings == receipt.filings.map(\.kind))

            let stored = try await environment.store.filings(orderNo: receipt.orderNo)
            #expect(Set(stored.map(\.id)) == Set(receipt.filings.map(\.id)))
            var documents: [MessageKind: XMLDocument] = [:]
            for filing in stored {
                #expect(filing.status == .queued)
                #expect(filing.idempotencyKey == OrderIntake.idempotencyKey(filing.payload))
                let document = try XMLDocument.parse(filing.payload)
                #expect(try XMLSignature.verify(document), "\(filing.kind.rawValue) of \(url.lastPathComponent)")
                if let authority = AuthorityFilingKind(rawValue: filing.kind.rawValue) {
                    #expect(catalog.validate(document, authorityFiling: authority).isEmpty)
                    // The signature is the root's last child.
                    #expect(document.root?.elementChildren.last?.localName == "Signature")
                    #expect(document.root?.attribute("guid") == filing.id)
                }
                documents[filing.kind] = document
            }
            #expect(check.differences(documents) == [])

            // The tax filing carries the order's tax and the buyer's allowance.
            let tax = try #require(documents[.taxImport])
            let total = try tax.select("/t:TaxImportFiling/t:Head/t:taxTotal", namespaces: ["t": "urn:yidan:filing:tax:v1"]).first?.text
            #expect(total.flatMap(Money.parse) == receipt.taxTotal)

            // Again: nothing filed twice, the same six in the same order.
            let again = try await environment.intake.submit(json: Data(contentsOf: url))
            #expect(!again.isNew)
            #expect(again.filings.map(\.id) == receipt.filings.map(\.id))
            #expect(again.filings.map(\.kind) == receipt.filings.map(\.kind))
            #expect(again.taxTotal == receipt.taxTotal)
        }
    }

    @Test("the tax filing's annual total before is the buyer's allowance used by earlier orders")
    func annualBeforeFollowsTheBuyer() async throws {
        let (environment, folder) = try Self.environment("annual")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = RouterHarness.orders.appendingPathComponent("three-items-9610.json")
        let first = try NormalizedOrderJSON.decode(Data(contentsOf: url))
        var second = first
        second.orderNo = first.orderNo + "-B"
        second.payment.transactionId = first.payment.transactionId + "B"

        let ns = ["t": "urn:yidan:filing:tax:v1"]
        func head(_ receipt: SubmitReceipt, _ name: String) async throws -> Decimal? {
            let id = try #require(receipt.filings.first { $0.kind == .taxImport }?.id)
            let filing = try #require(try await environment.store.filing(id: id))
            let text = try XMLDocument.parse(filing.payload).select("/t:TaxImportFiling/t:Head/t:\(name)", namespaces: ns).first?.text
            return text.flatMap(Money.parse)
        }
        let a = try await environment.intake.submit(first)
        let b = try await environment.intake.submit(second)
        let afterFirst = try #require(try await head(a, "annualAfter"))
        #expect(try await head(b, "annualBefore") == afterFirst)
        #expect(try await head(a, "annualBefore") == 0)
    }
}
