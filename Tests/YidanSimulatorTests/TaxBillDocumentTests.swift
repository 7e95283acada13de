import Foundation
import Testing
import YidanCore
import YidanXML
@testable import YidanSimulator

/// The CEB816 tax bill the simulator issues after a release: taxed from the
/// declared inventory lines, valid against the project schema.
@Suite struct TaxBillDocumentTests {
    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    let returnTime = ZonedDateTime(iso8601: "2026-11-11T00:00:05.123+08:00") ?? .now()

    func rates() throws -> TaxRateTable {
        try TaxRateTable(csv: String(contentsOf: TestPaths.mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
    }

    func inventory() throws -> DeclaredMessage {
        try DeclaredMessage(document: XMLDocument.parse(CEBSamples.inventory(SampleOrder(), guid: SampleOrder.guid()).serialized()))
    }

    @Test func theDeclaredLinesAreReadAndTaxedWithFreightSpreadByValue() throws {
        let declared = try inventory()
        #expect(declared.lines == [
            TaxableLine(gcode: "3304990099", qty: 2, totalPrice: 60),
            TaxableLine(gcode: "3304990099", qty: 1, totalPrice: 40),
        ])
        let tax = try #require(TaxBillDocument.tax(of: declared, rates: try rates()))
        // Freight 10.00 over 60 : 40.
        #expect(tax.items.map(\.dutiable) == [66, 44])
        #expect(tax.dutiable == 110)
        #expect(tax.duty == 0)
        #expect(tax.vat == tax.items.reduce(Decimal(0)) { $0 + $1.vat })
        let rate = try #require(try rates().rate(forHSCode: "3304990099"))
        #expect(tax.items.allSatisfy { $0.rate == rate })
    }

    @Test(arguments: [false, true])
    func theBillValidatesAndCarriesTheVarianceOnItemOneOnly(variance: Bool) throws {
        let declared = try inventory()
        let tax = try #require(TaxBillDocument.tax(of: declared, rates: try rates()))
        let bill = TaxBillDocument(
            guid: SampleOrder.guid(), invtNo: "51412026I000000001", taxNo: "51412026I000000001_01", inventory: declared,
            tax: tax, returnTime: returnTime, variance: variance
        )
        let document = try XMLDocument.parse(bill.xml())
        let schema = try XMLSchema(contentsOf: TestPaths.schema)
        #expect(schema.validate(document).isEmpty, "\(schema.validate(document))")
        let ns = ["ceb": Self.cebNamespace]
        let headVAT = try document.select("//ceb:TaxHeadRd/ceb:valueAddedTax", namespaces: ns).first?.text
        let itemVATs = try document.select("//ceb:TaxListRd/ceb:valueAddedTax", namespaces: ns).map(\.text)
        #expect(headVAT == Money.format(tax.vat, minScale: 2))
        let first = try #require(tax.items.first).vat + (variance ? TaxBillDocument.varianceAmount : 0)
        #expect(itemVATs == [Money.format(first, minScale: 2), Money.format(tax.items[1].vat, minScale: 2)])
    }

    @Test func goodsWithoutARateGetNoBill() throws {
        var declared = try inventory()
        declared.lines[0].gcode = "0000000000"
        #expect(TaxBillDocument.tax(of: declared, rates: try rates()) == nil)
        declared.lines = []
        #expect(TaxBillDocument.tax(of: declared, rates: try rates()) == nil)
    }
}
