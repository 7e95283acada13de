import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanRouter
import YidanXML

/// Paths of the package, from this file.
enum RouterHarness {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings", isDirectory: true)
    static let orders = packageRoot.appendingPathComponent("Fixtures/orders", isDirectory: true)
    /// The mapping tests' golden filings: one set of six per fixture order.
    static let golden = packageRoot.appendingPathComponent("Tests/YidanMappingTests/Golden", isDirectory: true)
    static let fixtureNames = ["bonded-wine-1210", "handbag-full-rate-9610", "milk-powder-9610", "skincare-9610", "three-items-9610"]

    static func orderFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: orders.path)
            .filter { $0.hasSuffix(".json") }.sorted()
            .map { orders.appendingPathComponent($0) }
    }

    static func goldenSet(_ name: String) throws -> [MessageKind: XMLDocument] {
        let files: [MessageKind: String] = [
            .ceb311: "CEB311", .ceb411: "CEB411", .ceb511: "CEB511", .ceb621: "CEB621", .taxImport: "TAX", .fxPayment: "FX",
        ]
        var documents: [MessageKind: XMLDocument] = [:]
        for (kind, suffix) in files {
            let url = golden.appendingPathComponent("\(name)-\(suffix).xml")
            documents[kind] = try XMLDocument.parse(Data(contentsOf: url))
        }
        return documents
    }

    static let namespaces = ["tax": "urn:yidan:filing:tax:v1", "fx": "urn:yidan:filing:fx:v1", "ceb": "http://www.chinaport.gov.cn/ceb"]

    /// Replaces the text of the one element at `xpath`.
    static func tamper(_ document: XMLDocument?, _ xpath: String, _ text: String) throws {
        let found = try #require(document)
        let node = try #require(try found.select(xpath, namespaces: namespaces).first)
        node.setText(text)
    }
}

@Suite("Cross-filing consistency: customs, tax and FX documents of one order agree")
struct CrossFilingCheckTests {
    let check: CrossFilingCheck

    init() throws {
        check = CrossFilingCheck(catalog: try MappingCatalog(directory: RouterHarness.mappings))
    }

    @Test("every golden set of six filings agrees", arguments: RouterHarness.fixtureNames)
    func goldenSetsAgree(name: String) throws {
        let documents = try RouterHarness.goldenSet(name)
        #expect(check.differences(documents) == [])
        try check.check(documents)
    }

    @Test("an item's VAT changed in the tax filing: its item total and the head VAT no longer add up")
    func itemVATChanged() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        try RouterHarness.tamper(documents[.taxImport], "/tax:TaxImportFiling/tax:Item[1]/tax:vat", "30.00")
        let item = "/tax:TaxImportFiling/tax:Item[1]/tax:"
        let failure = try #require(throws: ValidationFailure.self) { try check.check(documents) }
        #expect(failure.issues == [
            FieldIssue(
                pointer: "TAX-IMPORT \(item)taxTotal", value: "24.66",
                rule: "item tax total must equal \(item)duty + \(item)vat + \(item)consumptionTax = 30.00"
            ),
            FieldIssue(
                pointer: "TAX-IMPORT /tax:TaxImportFiling/tax:Head/tax:vat", value: "52.49",
                rule: "must equal the sum of TAX-IMPORT /tax:TaxImportFiling/tax:Item/tax:vat = 57.83"
            ),
        ])
    }

    @Test("an item's VAT changed and every tax total adjusted to it: the tax total disagrees with CEB311")
    func itemVATChangedConsistently() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        for (xpath, value) in [
            ("/tax:TaxImportFiling/tax:Item[1]/tax:vat", "30.00"), ("/tax:TaxImportFiling/tax:Item[1]/tax:taxTotal", "30.00"),
            ("/tax:TaxImportFiling/tax:Head/tax:vat", "57.83"), ("/tax:TaxImportFiling/tax:Head/tax:taxTotal", "57.83"),
        ] {
            try RouterHarness.tamper(documents[.taxImport], xpath, value)
        }
        #expect(check.differences(documents) == [FieldIssue(
            pointer: "TAX-IMPORT /tax:TaxImportFiling/tax:Head/tax:taxTotal", value: "57.83",
            rule: "tax total must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:taxTotal = 52.49"
        )])
    }

    @Test("the tax filing's order number changed")
    func taxOrderNumberChanged() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        try RouterHarness.tamper(documents[.taxImport], "/tax:TaxImportFiling/tax:Head/tax:orderNo", "YD20261130-9999")
        let failure = try #require(throws: ValidationFailure.self) { try check.check(documents) }
        #expect(failure.issues == [FieldIssue(
            pointer: "TAX-IMPORT /tax:TaxImportFiling/tax:Head/tax:orderNo", value: "YD20261130-9999",
            rule: "order number must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:orderNo = YD20261130-0003"
        )])
    }

    @Test("the FX record's RMB amount changed: it disagrees with CEB311/CEB411 and with its own conversion")
    func fxAmountChanged() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        try RouterHarness.tamper(documents[.fxPayment], "/fx:FxPaymentFiling/fx:Record/fx:rmbAmount", "600.00")
        let record = "FX-PAYMENT /fx:FxPaymentFiling/fx:Record/fx:"
        let failure = try #require(throws: ValidationFailure.self) { try check.check(documents) }
        #expect(failure.issues == [
            FieldIssue(
                pointer: "\(record)rmbAmount", value: "600.00",
                rule: "amount paid (RMB) must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:acturalPaid = 627.39"
            ),
            FieldIssue(
                pointer: "\(record)rmbAmount", value: "600.00",
                rule: "amount after conversion must equal \(record)amount × \(record)rate = 627.39 × 1.0000 = 627.39"
            ),
        ])
    }

    @Test("the FX amount and RMB amount both changed: only the customs amounts disagree")
    func fxAmountsChangedTogether() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        try RouterHarness.tamper(documents[.fxPayment], "/fx:FxPaymentFiling/fx:Record/fx:amount", "600.00")
        try RouterHarness.tamper(documents[.fxPayment], "/fx:FxPaymentFiling/fx:Record/fx:rmbAmount", "600.00")
        #expect(check.differences(documents) == [FieldIssue(
            pointer: "FX-PAYMENT /fx:FxPaymentFiling/fx:Record/fx:rmbAmount", value: "600.00",
            rule: "amount paid (RMB) must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:acturalPaid = 627.39"
        )])
    }

    @Test("quantities, HS codes and the payment transaction id are compared line by line")
    func linesAndPayment() throws {
        let documents = try RouterHarness.goldenSet("three-items-9610")
        try RouterHarness.tamper(documents[.taxImport], "/tax:TaxImportFiling/tax:Item[2]/tax:qty", "3")
        try RouterHarness.tamper(documents[.taxImport], "/tax:TaxImportFiling/tax:Item[3]/tax:gcode", "9503000000")
        try RouterHarness.tamper(documents[.fxPayment], "/fx:FxPaymentFiling/fx:Record/fx:payTransactionId", "PAY-OTHER")
        #expect(check.differences(documents) == [
            FieldIssue(
                pointer: "FX-PAYMENT /fx:FxPaymentFiling/fx:Record/fx:payTransactionId", value: "PAY-OTHER",
                rule: "payment transaction id must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:payTransactionId = PAY2026113009410003"
            ),
            FieldIssue(
                pointer: "TAX-IMPORT /tax:TaxImportFiling/tax:Item[2]/tax:qty", value: "3",
                rule: "item 2 quantity must equal CEB311 /ceb:CEB311Message/ceb:Order/ceb:OrderList[2]/ceb:qty = 1"
            ),
            FieldIssue(
                pointer: "TAX-IMPORT /tax:TaxImportFiling/tax:Item[3]/tax:gcode", value: "9503000000",
                rule: "item 3 HS code must equal CEB621 /ceb:CEB621Message/ceb:Inventory/ceb:InventoryList[3]/ceb:gcode = 9503008900"
            ),
        ])
    }
}
