import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML

/// The export fixture orders (`Fixtures/orders/export/*.json`), by file name without `.json`.
enum ExportFixtures {
    static let names: [String] = {
        let folder = TestPaths.fixtures.appendingPathComponent("orders/export")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static let officialExportSchema = Result {
        try XMLSchema(contentsOf: TestPaths.reference.appendingPathComponent("ceb/202205/xsd/海关跨境出口业务节点报文定义202205.xsd"))
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: TestPaths.fixtures.appendingPathComponent("orders/export/\(name).json"))
    }

    static func load(_ name: String) throws -> NormalizedOrder { try NormalizedOrderJSON.decode(data(name)) }

    /// Exports carry no cross-border retail tax: mapped with `OrderTax.none`.
    static func build(_ name: String, _ kind: MessageKind) throws -> XMLDocument {
        try Shared.catalog.get().makeFiling(kind, order: load(name), tax: .none, guid: Shared.guid(kind), now: Shared.now)
    }

    static func text(_ document: XMLDocument, _ xpath: String) throws -> [String] {
        try document.select(xpath, namespaces: ["ceb": "http://www.chinaport.gov.cn/ceb"]).map(\.text)
    }
}

private struct ExportCase: CustomTestStringConvertible, Sendable {
    let fixture: String
    let kind: MessageKind
    var testDescription: String { "\(fixture) \(kind.rawValue)" }

    static let all: [ExportCase] = ExportFixtures.names.flatMap { name in
        MessageKind.exportDeclaration.map { ExportCase(fixture: name, kind: $0) }
    }
}

@Suite("Export orders map to CEB303/403/505/603 that match their goldens and both export schemas")
struct ExportFilingTests {
    @Test func anExportFixtureForEachTradeModeIsThere() {
        // 9710 B2B direct, 9810 overseas warehouse, 9610 B2C direct, 1210 bonded.
        #expect(ExportFixtures.names == [
            "bike-parts-9710-b2b-direct", "kitchenware-9810-overseas-warehouse", "phone-case-9610-export", "tea-set-1210-bonded-export",
        ])
        #expect(MessageKind.exportDeclaration.map(\.rawValue) == ["CEB303", "CEB403", "CEB505", "CEB603"])
    }

    @Test(arguments: ExportCase.all)
    fileprivate func matchesGoldenFile(_ case: ExportCase) throws {
        let document = try ExportFixtures.build(`case`.fixture, `case`.kind)
        try expectMatchesGolden(document.serialized(pretty: true), named: "export-\(`case`.fixture)-\(`case`.kind.rawValue).xml")
    }

    /// Valid against the official 202205 export XSD and Mappings/schemas/ceb-export.xsd;
    /// CEB603 is signed first, the signature placed as the export schema wants it.
    @Test(arguments: ExportCase.all)
    fileprivate func conformsToOfficialAndProjectExportSchema(_ case: ExportCase) throws {
        let document = try ExportFixtures.build(`case`.fixture, `case`.kind)
        if `case`.kind == .ceb603 {
            try XMLSignature.signEnveloped(document, with: TestSigner.signer.get(), placement: .forCEB(document))
            let children = try #require(document.root).elementChildren.map(\.localName)
            #expect(children.suffix(2) == ["BaseTransfer", "Signature"])
        }
        let official = try ExportFixtures.officialExportSchema.get().validate(document)
        #expect(official.isEmpty, "official export XSD: \(official.map(\.description))")
        let own = try Shared.catalog.get().validate(document, kind: `case`.kind)
        #expect(own.isEmpty, "Mappings/schemas/ceb-export.xsd: \(own.map(\.description))")
    }

    /// The import schema does not describe export messages: the catalog picks the schema by direction.
    @Test func exportMessagesAreNotImportMessages() throws {
        #expect(MappingCatalog.schemaFile(for: .ceb603) == "schemas/ceb-export.xsd")
        #expect(MappingCatalog.schemaFile(for: .ceb621) == "schemas/ceb-import.xsd")
        let official = try Shared.officialSchema.get().validate(ExportFixtures.build("phone-case-9610-export", .ceb303))
        #expect(!official.isEmpty)
    }

    @Test func b2cExportIsSimplifiedInDollars() throws {
        let name = "phone-case-9610-export"
        let order = try ExportFixtures.build(name, .ceb303)
        #expect(try ExportFixtures.text(order, "//ceb:OrderHead/ceb:orderType") == ["E"])
        #expect(try ExportFixtures.text(order, "//ceb:currency") == ["502", "502", "502"])
        let inventory = try ExportFixtures.build(name, .ceb603)
        let head = "//ceb:InventoryHead/ceb:"
        #expect(try ExportFixtures.text(inventory, head + "ieFlag") == ["E"])
        #expect(try ExportFixtures.text(inventory, head + "statisticsFlag") == ["A"])
        #expect(try ExportFixtures.text(inventory, head + "tradeMode") == ["9610"])
        #expect(try ExportFixtures.text(inventory, head + "ieDate") == ["20261130"])
        #expect(try ExportFixtures.text(inventory, head + "country") == ["502"])
        #expect(try ExportFixtures.text(inventory, head + "POD") == ["LAX"])
        #expect(try ExportFixtures.text(inventory, head + "fCurrency") == ["502"])
        #expect(try ExportFixtures.text(inventory, head + "iacCode").isEmpty)
        // Lines: destination country, and 无 for the item without a bar code.
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:country") == ["502", "502"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:barCode") == ["6970000000123", "无"])
        // No buyer identity anywhere in an export declaration.
        let raw = String(decoding: inventory.serialized(), as: UTF8.self)
        #expect(!raw.contains("buyerIdNumber") && !raw.contains("Emily"))
    }

    @Test func overseasWarehouseExportIsSummarisedInEuros() throws {
        let name = "kitchenware-9810-overseas-warehouse"
        #expect(try ExportFixtures.text(ExportFixtures.build(name, .ceb303), "//ceb:OrderHead/ceb:orderType") == ["W"])
        let inventory = try ExportFixtures.build(name, .ceb603)
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryHead/ceb:statisticsFlag") == ["B"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryHead/ceb:tradeMode") == ["9810"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryHead/ceb:country") == ["304"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryHead/ceb:wrapType") == ["2"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryHead/ceb:totalPackageNo") == ["PLT-20261125-07"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:currency") == ["300", "300"])
        let receipt = try ExportFixtures.build(name, .ceb403)
        #expect(try ExportFixtures.text(receipt, "//ceb:Receipts/ceb:accountingDate") == ["20261121162000"])
        #expect(try ExportFixtures.text(receipt, "//ceb:Receipts/ceb:currency") == ["300"])
    }

    /// CEB403 charge is what the buyer paid: goodsValue + freight − discount (no tax on exports).
    @Test(arguments: ExportFixtures.names)
    func chargeIsGoodsPlusFreightLessDiscount(_ name: String) throws {
        let order = try ExportFixtures.load(name)
        let charge = try ExportFixtures.text(ExportFixtures.build(name, .ceb403), "//ceb:Receipts/ceb:charge")
        #expect(charge == [Money.format(order.goodsValue + order.freight - order.discount, minScale: 2)])
    }

    @Test(arguments: ExportFixtures.names)
    func exportOrdersRoundTripThroughJSON(_ name: String) throws {
        let order = try ExportFixtures.load(name)
        #expect(order.isExport)
        #expect(try NormalizedOrderJSON.decode(NormalizedOrderJSON.encode(order)) == order)
    }

    /// An import order has no `export`: its export messages cannot be built.
    @Test func importOrderHasNoExportMessages() throws {
        let (order, tax) = try FixtureOrders.load("skincare-9610")
        #expect(!order.isExport)
        #expect(throws: YidanError.self) {
            try Shared.catalog.get().makeFiling(.ceb603, order: order, tax: tax, guid: Shared.guid(.ceb603), now: Shared.now)
        }
    }
}
