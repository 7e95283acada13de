import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanRates
import YidanSigning
import YidanXML

/// The export FX record (`FX-EXPORT`, `Mappings/authorities/FX-EXPORT.yaml`,
/// root `FxExportFiling` of `schemas/fx-filing-v1.xsd`) of both export fixtures,
/// converted with the example rates in `Fixtures/merchant/rates/`: flag B with
/// the CEB792 entryId as declarationNo, flag A without.
@Suite("FX-EXPORT records match their goldens and fx-filing-v1.xsd")
struct ExportFxRecordTests {
    static let cases: [(fixture: String, entryId: String?)] = [
        ("kitchenware-9810-overseas-warehouse", "224820261000000042"),
        ("phone-case-9610-export", nil),
    ]
    static let guid = "5C1E0A7E-0000-4000-8000-00000000F7A0"
    static let ns = ["fx": "urn:yidan:filing:fx:v1"]

    static func rate(for order: NormalizedOrder) throws -> FilingExchangeRate {
        let rates = try ExchangeRates.load([TestPaths.fixtures.appendingPathComponent("merchant/rates/example-export-rates-2026-11.csv")])
        let converted = try rates.convert(order.payment.amount, from: order.currency, on: order.export?.receivedTime ?? order.payment.payTime)
        return FilingExchangeRate(rmbAmount: converted.cny, rate: converted.rate.rate, rateDate: converted.rate.rateDate, source: converted.rate.source)
    }

    static func build(_ fixture: String, entryId: String?) throws -> XMLDocument {
        let order = try ExportFixtures.load(fixture)
        return try Shared.catalog.get().makeAuthorityFiling(
            .fxExport, order: order, tax: .none, annualBefore: 0, declarationNo: entryId,
            exchangeRate: rate(for: order), guid: guid, now: Shared.now
        )
    }

    @Test(arguments: cases.map(\.fixture))
    func matchesGoldenFileAndValidatesSigned(fixture: String) throws {
        let entryId = Self.cases.first { $0.fixture == fixture }?.entryId
        let document = try Self.build(fixture, entryId: entryId)
        try expectMatchesGolden(document.serialized(pretty: true), named: "export-\(fixture)-FX-EXPORT.xml")
        try XMLSignature.signEnveloped(document, with: TestSigner.signer.get())
        let issues = try Shared.catalog.get().validate(document, authorityFiling: .fxExport)
        #expect(issues.isEmpty, "\(issues.map(\.description))")
    }

    @Test func theRecordIsAnInflowInTheOrderCurrencyWithItsRateAndTheEntryIdOnlyWhenKnown() throws {
        func text(_ document: XMLDocument, _ name: String) throws -> [String] {
            try document.select("/fx:FxExportFiling/fx:Record/fx:\(name)", namespaces: Self.ns).map(\.text)
        }
        let order = try ExportFixtures.load("kitchenware-9810-overseas-warehouse")
        let summarised = try Self.build("kitchenware-9810-overseas-warehouse", entryId: "224820261000000042")
        #expect(try text(summarised, "direction") == ["inflow"])
        #expect(try text(summarised, "declarationNo") == ["224820261000000042"])
        #expect(try text(summarised, "currency") == ["EUR"])
        #expect(try text(summarised, "transactionCode") == ["121010"])  // 9810: an assumption, see fx-transaction-codes.csv
        #expect(try text(summarised, "counterpartyCountry") == ["DEU"])
        #expect(try text(summarised, "amount").compactMap(Money.parse) == [order.payment.amount])
        #expect(try text(summarised, "rate") == ["7.7420"])
        #expect(try text(summarised, "rateDate") == ["20261021"])  // third Wednesday of October 2026
        let rmb = try #require(try text(summarised, "rmbAmount").first.flatMap(Money.parse))
        let example = try #require(Decimal(string: "7.7420"))
        #expect(rmb == Money.round(order.payment.amount * example, scale: 2))
        let simplified = try Self.build("phone-case-9610-export", entryId: nil)
        #expect(try text(simplified, "declarationNo").isEmpty)
        #expect(try text(simplified, "transactionCode") == ["122030"])
        #expect(try text(simplified, "currency") == ["USD"])
    }

    @Test func aForeignCurrencyRecordWithoutARateCannotBeBuilt() throws {
        #expect(throws: YidanError.self) {
            try Shared.catalog.get().makeAuthorityFiling(
                .fxExport, order: ExportFixtures.load("phone-case-9610-export"), tax: .none, annualBefore: 0,
                guid: Self.guid, now: Shared.now
            )
        }
        #expect(MessageKind.fxExport.authority == .fx)
        #expect(MessageKind.fxExport.receiptKind == .fxReceipt)
        #expect(MessageKind.fxExport.direction == .export)
        #expect(MessageKind.fxExport.rootElement == AuthorityFilingKind.fxExport.rootElement)
    }
}
