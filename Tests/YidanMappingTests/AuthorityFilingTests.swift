import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanXML

/// The tax and FX filings of every fixture order, built with the buyer's
/// annual total before the order set to `annualBefore`.
private enum AuthorityFixtures {
    static let annualBefore = Decimal(string: "1200.50") ?? 0
    static let tax = ["tax": "urn:yidan:filing:tax:v1"]
    static let fx = ["fx": "urn:yidan:filing:fx:v1"]

    static func guid(_ kind: AuthorityFilingKind) -> String {
        kind == .taxImport ? "5C1E0A7E-0000-4000-8000-00000000A001" : "5C1E0A7E-0000-4000-8000-00000000A002"
    }

    static func load(_ name: String) throws -> (NormalizedOrder, OrderTax) {
        let url = TestPaths.fixtures.appendingPathComponent("orders/\(name).json")
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: url))
        let tax = try CompositeTax.compute(order: order, rates: Shared.taxRates.get(), annualUsedBefore: annualBefore)
        return (order, tax)
    }

    static func build(_ name: String, _ kind: AuthorityFilingKind) throws -> XMLDocument {
        let (order, tax) = try load(name)
        return try Shared.catalog.get().makeAuthorityFiling(
            kind, order: order, tax: tax, annualBefore: annualBefore, guid: guid(kind), now: Shared.now
        )
    }

    static func decimal(_ document: XMLDocument, _ xpath: String, _ namespaces: [String: String]) throws -> [Decimal] {
        try document.select(xpath, namespaces: namespaces).map { node in
            try #require(Money.parse(node.text), "\(xpath) = \(node.text)")
        }
    }

    static func text(_ document: XMLDocument, _ xpath: String, _ namespaces: [String: String]) throws -> [String] {
        try document.select(xpath, namespaces: namespaces).map(\.text)
    }
}

private struct FixtureFiling: CustomTestStringConvertible, Sendable {
    let fixture: String
    let kind: AuthorityFilingKind
    var testDescription: String { "\(fixture) \(kind.rawValue)" }
    var goldenName: String { "\(fixture)-\(kind == .taxImport ? "TAX" : "FX").xml" }

    static let all: [FixtureFiling] = FixtureOrders.names.flatMap { name in
        AuthorityFilingKind.importFilings.map { FixtureFiling(fixture: name, kind: $0) }  // TAX-EXPORT: ExportTaxRecordTests
    }
}

@Suite("Tax and FX filings: own schemas, golden files, amounts from CompositeTax and the payment")
struct AuthorityFilingTests {
    @Test(arguments: FixtureFiling.all)
    fileprivate func buildsValidatesAndMatchesGolden(_ filing: FixtureFiling) throws {
        let document = try AuthorityFixtures.build(filing.fixture, filing.kind)
        let catalog = try Shared.catalog.get()
        let issues = catalog.validate(document, authorityFiling: filing.kind)
        #expect(issues.isEmpty, "\(filing.kind.schemaFile): \(issues.map(\.description))")
        #expect(document.root?.namespaceURI == filing.kind.namespaceURI)
        try expectMatchesGolden(document.serialized(pretty: true), named: filing.goldenName)
    }

    /// The schemas are independent files: loading one directly (not through the
    /// catalog) accepts the built filing too.
    @Test(arguments: FixtureFiling.all)
    fileprivate func schemaFileAcceptsTheFilingOnItsOwn(_ filing: FixtureFiling) throws {
        let schema = try XMLSchema(contentsOf: TestPaths.mappings.appendingPathComponent(filing.kind.schemaFile))
        let issues = schema.validate(try AuthorityFixtures.build(filing.fixture, filing.kind))
        #expect(issues.isEmpty, "\(issues.map(\.description))")
    }

    @Test(arguments: FixtureOrders.names)
    func taxAmountsAreTheCompositeTaxResults(_ fixture: String) throws {
        let (_, tax) = try AuthorityFixtures.load(fixture)
        let document = try AuthorityFixtures.build(fixture, .taxImport)
        let ns = AuthorityFixtures.tax
        func head(_ name: String) throws -> Decimal? {
            try AuthorityFixtures.decimal(document, "/tax:TaxImportFiling/tax:Head/tax:\(name)", ns).first
        }
        func items(_ name: String) throws -> [Decimal] {
            try AuthorityFixtures.decimal(document, "/tax:TaxImportFiling/tax:Item/tax:\(name)", ns)
        }
        #expect(try head("dutiable") == Money.round(tax.dutiable))
        #expect(try head("duty") == Money.round(tax.duty))
        #expect(try head("vat") == Money.round(tax.vat))
        #expect(try head("consumptionTax") == Money.round(tax.consumptionTax))
        #expect(try head("taxTotal") == Money.round(tax.total))
        #expect(try head("annualBefore") == AuthorityFixtures.annualBefore)
        #expect(try head("annualAfter") == AuthorityFixtures.annualBefore + tax.allowanceUse)

        #expect(try items("vat") == tax.items.map { Money.round($0.vat) })
        #expect(try items("consumptionTax") == tax.items.map { Money.round($0.consumptionTax) })
        #expect(try items("duty") == tax.items.map { Money.round($0.duty) })
        #expect(try items("dutiable") == tax.items.map { Money.round($0.dutiable) })
        // The items add up to the order.
        #expect(try items("taxTotal").reduce(0, +) == head("taxTotal"))
        #expect(try items("dutiable").reduce(0, +) == head("dutiable"))
        #expect(try items("vat").reduce(0, +) == head("vat"))
        #expect(try items("consumptionTax").reduce(0, +) == head("consumptionTax"))
        // Each item names its rates and the tax-rates.csv row they come from.
        let sources = try AuthorityFixtures.text(document, "/tax:TaxImportFiling/tax:Item/tax:rateSource", ns)
        #expect(sources == tax.items.map(\.rate.source))
        let gcodes = try AuthorityFixtures.text(document, "/tax:TaxImportFiling/tax:Item/tax:gcode", ns)
        #expect(gcodes == tax.items.map(\.gcode))
        let regime = try AuthorityFixtures.text(document, "/tax:TaxImportFiling/tax:Head/tax:regime", ns)
        #expect(regime == [tax.fullRate ? "full-rate" : "within-limits"])
    }

    @Test(arguments: FixtureOrders.names)
    func fxAmountsAreThePaymentInRMB(_ fixture: String) throws {
        let (order, _) = try AuthorityFixtures.load(fixture)
        let document = try AuthorityFixtures.build(fixture, .fxPayment)
        let ns = AuthorityFixtures.fx
        let record = "/fx:FxPaymentFiling/fx:Record/fx:"
        #expect(try AuthorityFixtures.decimal(document, record + "rmbAmount", ns) == [order.payment.amount])
        #expect(try AuthorityFixtures.decimal(document, record + "amount", ns) == [order.payment.amount])
        #expect(try AuthorityFixtures.text(document, record + "rate", ns) == ["1.0000"])
        #expect(try AuthorityFixtures.text(document, record + "rateSource", ns) == ["CNY, no conversion"])
        #expect(try AuthorityFixtures.text(document, record + "currency", ns) == ["CNY"])
        #expect(try AuthorityFixtures.text(document, record + "orderNo", ns) == [order.orderNo])
        #expect(try AuthorityFixtures.text(document, record + "payTransactionId", ns) == [order.payment.transactionId])
        // Omitted until customs assigns a declaration number.
        #expect(try AuthorityFixtures.text(document, record + "declarationNo", ns).isEmpty)
    }

    @Test func transactionCodeFollowsTheTradeMode() throws {
        let path = "/fx:FxPaymentFiling/fx:Record/fx:transactionCode"
        let bonded = try AuthorityFixtures.build("bonded-wine-1210", .fxPayment)
        let direct = try AuthorityFixtures.build("skincare-9610", .fxPayment)
        #expect(try AuthorityFixtures.text(bonded, path, AuthorityFixtures.fx) == ["121030"])
        #expect(try AuthorityFixtures.text(direct, path, AuthorityFixtures.fx) == ["122030"])
        let catalog = try Shared.catalog.get()
        #expect(try catalog.code(in: "fx-transaction-codes", from: ["tradeMode"], to: "code", key: "0110") == "121010")
    }

    @Test func declarationNumberIsWrittenOnceKnown() throws {
        let (order, tax) = try AuthorityFixtures.load("skincare-9610")
        let document = try Shared.catalog.get().makeAuthorityFiling(
            .fxPayment, order: order, tax: tax, annualBefore: 0, declarationNo: "530120261000000001",
            guid: AuthorityFixtures.guid(.fxPayment), now: Shared.now
        )
        let numbers = try AuthorityFixtures.text(document, "/fx:FxPaymentFiling/fx:Record/fx:declarationNo", AuthorityFixtures.fx)
        #expect(numbers == ["530120261000000001"])
    }

    @Test func negativeAmountIsReportedByXPath() throws {
        let catalog = try Shared.catalog.get()
        let document = try AuthorityFixtures.build("three-items-9610", .taxImport)
        let vat = try #require(document.select("/tax:TaxImportFiling/tax:Item[2]/tax:vat", namespaces: AuthorityFixtures.tax).first)
        vat.setText("-3.00")
        let issues = catalog.validate(document, authorityFiling: .taxImport)
        #expect(issues.contains { $0.path == "/tax:TaxImportFiling/tax:Item[2]/tax:vat" }, "\(issues.map(\.description))")

        let fxDocument = try AuthorityFixtures.build("three-items-9610", .fxPayment)
        let amount = try #require(fxDocument.select("//fx:rmbAmount", namespaces: AuthorityFixtures.fx).first)
        amount.setText("-1.00")
        let fxIssues = catalog.validate(fxDocument, authorityFiling: .fxPayment)
        #expect(fxIssues.contains { $0.path == "/fx:FxPaymentFiling/fx:Record/fx:rmbAmount" }, "\(fxIssues.map(\.description))")
    }

    @Test func aCEBMessageIsNotATaxFiling() throws {
        let document = try FixtureOrders.build("skincare-9610", .ceb411)
        let issues = try Shared.catalog.get().validate(document, authorityFiling: .taxImport)
        #expect(!issues.isEmpty)
    }

    /// yidan reads no exchange-rate feed yet: a foreign-currency order cannot
    /// get an FX record, and the error names the field.
    @Test func foreignCurrencyOrderNeedsARate() throws {
        let (loaded, tax) = try AuthorityFixtures.load("skincare-9610")
        var order = loaded
        order.currency = "USD"
        let error = try #require(throws: YidanError.self) {
            try Shared.catalog.get().makeAuthorityFiling(
                .fxPayment, order: order, tax: tax, annualBefore: 0, guid: AuthorityFixtures.guid(.fxPayment), now: Shared.now
            )
        }
        #expect(error.message.contains("/currency"), "\(error.message)")
    }
}
