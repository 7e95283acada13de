import Foundation
import Testing
import YidanCore
import YidanXML
@testable import YidanSimulator

/// Receipts are written as customs writes them and validate against the project schema.
@Suite struct ReceiptDocumentTests {
    let returnTime = ZonedDateTime(iso8601: "2026-11-11T00:00:05.123+08:00") ?? .now()

    func declared(_ document: XMLDocument) throws -> DeclaredMessage {
        try DeclaredMessage(document: XMLDocument.parse(document.serialized()))
    }

    @Test func everyReceiptKindValidatesAgainstTheProjectSchema() throws {
        let schema = try XMLSchema(contentsOf: TestPaths.schema)
        let o = SampleOrder()
        let messages: [XMLDocument] = [
            CEBSamples.order(o, guid: SampleOrder.guid()), CEBSamples.payment(o, guid: SampleOrder.guid()),
            CEBSamples.waybill(o, guid: SampleOrder.guid()), CEBSamples.inventory(o, guid: SampleOrder.guid()),
        ]
        for message in messages {
            let facts = try declared(message)
            let receipt = ReceiptDocument(
                kind: facts.kind.receiptKind, receiptGuid: SampleOrder.guid(), declared: facts,
                step: ReceiptStep(returnStatus: "120", returnInfo: "海关入库"), returnTime: returnTime,
                preNo: "B20261111000000001", invtNo: "51412026I000000001"
            )
            let parsed = try XMLDocument.parse(receipt.xml())
            #expect(schema.validate(parsed).isEmpty, "\(facts.kind): \(schema.validate(parsed))")
        }
    }

    @Test func writesTheDefaultNamespaceWithoutPrefixAndNamesTheDeclaredGuid() throws {
        let orderGuid = SampleOrder.guid()
        let facts = try declared(CEBSamples.order(SampleOrder(), guid: orderGuid))
        let receiptGuid = SampleOrder.guid()
        let bytes = ReceiptDocument(
            kind: .ceb312, receiptGuid: receiptGuid, declared: facts,
            step: ReceiptStep(returnStatus: "2", returnInfo: "新增申报成功"), returnTime: returnTime
        ).xml()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#"<CEB312Message xmlns="http://www.chinaport.gov.cn/ceb""#))
        #expect(!text.contains("ceb:"))
        let document = try XMLDocument.parse(bytes)
        let root = try #require(document.root)
        #expect(root.attribute("guid") == receiptGuid)
        #expect(root.attribute("version") == "1.0")
        let entry = try #require(root.firstChild("OrderReturn", namespaceURI: CEBSamples.ceb))
        #expect(entry.elementChildren.map(\.localName) == ["guid", "ebpCode", "ebcCode", "orderNo", "returnStatus", "returnTime", "returnInfo"])
        #expect(entry.firstChild("guid")?.text == orderGuid)
        #expect(entry.firstChild("returnTime")?.text == "20261111000005123")
    }

    @Test func inventoryReceiptCarriesTheInventoryNumberOnceStored() throws {
        let facts = try declared(CEBSamples.inventory(SampleOrder(), guid: SampleOrder.guid()))
        let bytes = ReceiptDocument(
            kind: .ceb622, receiptGuid: SampleOrder.guid(), declared: facts,
            step: ReceiptStep(returnStatus: "800", returnInfo: "放行"), returnTime: returnTime,
            preNo: "B20261111000000001", invtNo: "51412026I000000001"
        ).xml()
        let entry = try #require(XMLDocument.parse(bytes).root?.firstChild("InventoryReturn", namespaceURI: CEBSamples.ceb))
        #expect(entry.elementChildren.map(\.localName) == [
            "guid", "customsCode", "ebpCode", "ebcCode", "agentCode", "copNo", "preNo", "invtNo",
            "returnStatus", "returnTime", "returnInfo",
        ])
        #expect(entry.firstChild("invtNo")?.text == "51412026I000000001")
        #expect(entry.firstChild("copNo")?.text == "COP0001")
    }
}

enum TestPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = root.appendingPathComponent("Mappings")
    static let schema = SimulatorConfiguration.importSchema(inMappings: mappings)

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
