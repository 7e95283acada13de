import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanXML

@Suite("DxpEnvelope")
struct DxpEnvelopeTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dxp = "http://www.chinaport.gov.cn/dxp"

    static func sample(data: Data? = nil) throws -> DxpEnvelope {
        let payload = try data ?? Data(contentsOf: packageRoot.appendingPathComponent("../shared/reference/ceb/202205/samples/import/CEB311Message.xml"))
        let created = try #require(ZonedDateTime(iso8601: "2026-11-11T00:00:05+08:00"))
        return DxpEnvelope(
            copMsgId: "4CDE1CFD-EDED-46B1-946C-B8022E42FC94", senderId: "DXPENT0000000001",
            receiverIds: ["DXPEDCCEB0000002", "DXPEDCCEB0000003"], createTime: created,
            msgType: "CEB311Message", data: payload
        )
    }

    @Test("writes DxpMsg ver=1.0 with TransInfo in the specification's order and base64 Data")
    func structure() throws {
        let envelope = try Self.sample()
        let document = try XMLDocument.parse(envelope.xml())
        let root = try #require(document.root)
        #expect(root.localName == "DxpMsg")
        #expect(root.namespaceURI == Self.dxp)
        #expect(root.attribute("ver") == "1.0")
        #expect(root.elementChildren.map(\.localName) == ["TransInfo", "Data"])
        let transInfo = try #require(root.firstChild("TransInfo", namespaceURI: Self.dxp))
        #expect(transInfo.elementChildren.map(\.localName) == ["CopMsgId", "SenderId", "ReceiverIds", "CreatTime", "MsgType"])
        #expect(transInfo.elementChildren.allSatisfy { $0.namespaceURI == Self.dxp })
        let times = try document.select("/d:DxpMsg/d:TransInfo/d:CreatTime", namespaces: ["d": Self.dxp])
        #expect(times.first?.text == "2026-11-11T00:00:05+08:00")
        let receivers = try document.select("//d:ReceiverIds/d:ReceiverId", namespaces: ["d": Self.dxp]).map(\.text)
        #expect(receivers == ["DXPEDCCEB0000002", "DXPEDCCEB0000003"])
        let data = try #require(root.firstChild("Data", namespaceURI: Self.dxp))
        #expect(Data(base64Encoded: data.text) == envelope.data)
    }

    @Test("parse(xml()) gives the envelope back, and the bytes are stable")
    func roundTrip() throws {
        let envelope = try Self.sample()
        let parsed = try DxpEnvelope.parse(envelope.xml())
        #expect(parsed == envelope)
        #expect(envelope.xml() == envelope.xml())
    }

    @Test("milliseconds are kept; a CreatTime without zone is Beijing time")
    func times() throws {
        var envelope = try Self.sample(data: Data("x".utf8))
        envelope.createTime = ZonedDateTime(instant: Date(timeIntervalSince1970: 1_700_000_000.25), utcOffsetSeconds: 0)
        let text = String(decoding: envelope.xml(), as: UTF8.self)
        #expect(text.contains("<dxp:CreatTime>2023-11-14T22:13:20.250Z</dxp:CreatTime>"))

        let zoneless = """
        <DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><TransInfo><CopMsgId>A</CopMsgId><SenderId>S</SenderId>\
        <ReceiverIds><ReceiverId>R</ReceiverId></ReceiverIds><CreatTime>2026-01-02T03:04:05</CreatTime>\
        <MsgType>CEB312Message</MsgType></TransInfo><Data>\n  eA==\n</Data></DxpMsg>
        """
        let parsed = try DxpEnvelope.parse(Data(zoneless.utf8))
        #expect(parsed.createTime.utcOffsetSeconds == 8 * 3600)
        #expect(parsed.createTime.iso8601 == "2026-01-02T03:04:05+08:00")
        #expect(parsed.data == Data("x".utf8))
        #expect(parsed.msgType == "CEB312Message")
    }

    @Test("valid against the project's envelope schema and the official terminal-node XSD")
    func schemaValid() throws {
        let xml = try Self.sample().xml()
        let project = try XMLSchema(contentsOf: Self.packageRoot.appendingPathComponent("Mappings/schemas/dxp-envelope.xsd"))
        #expect(try project.validate(xml) == [])
        let official = Self.packageRoot.appendingPathComponent("../shared/reference/ceb/202205/xsd/海关跨境终端节点报文定义202205.xsd")
        let reference = try XMLSchema(contentsOf: official.standardizedFileURL)
        #expect(try reference.validate(xml) == [])
    }

    @Test("refuses what is not a DxpMsg envelope", arguments: [
        "<DxpMsg ver=\"1.0\"/>",
        "<dxp:Other xmlns:dxp=\"http://www.chinaport.gov.cn/dxp\"/>",
        "<DxpMsg xmlns=\"http://www.chinaport.gov.cn/dxp\" ver=\"1.0\"><Data>eA==</Data></DxpMsg>",
        "<DxpMsg xmlns=\"http://www.chinaport.gov.cn/dxp\" ver=\"1.0\"><TransInfo><CopMsgId>A</CopMsgId><SenderId>S</SenderId><ReceiverIds/><CreatTime>2026-01-02T03:04:05Z</CreatTime><MsgType>M</MsgType></TransInfo><Data>eA==</Data></DxpMsg>",
        "<DxpMsg xmlns=\"http://www.chinaport.gov.cn/dxp\" ver=\"1.0\"><TransInfo><CopMsgId>A</CopMsgId><SenderId>S</SenderId><ReceiverIds><ReceiverId>R</ReceiverId></ReceiverIds><CreatTime>yesterday</CreatTime><MsgType>M</MsgType></TransInfo><Data>eA==</Data></DxpMsg>",
        "<DxpMsg xmlns=\"http://www.chinaport.gov.cn/dxp\" ver=\"1.0\"><TransInfo><CopMsgId>A</CopMsgId><SenderId>S</SenderId><ReceiverIds><ReceiverId>R</ReceiverId></ReceiverIds><CreatTime>2026-01-02T03:04:05Z</CreatTime><MsgType>M</MsgType></TransInfo><Data>%%%</Data></DxpMsg>",
        "not xml",
    ])
    func refused(text: String) {
        #expect(throws: YidanError.self) { try DxpEnvelope.parse(Data(text.utf8)) }
    }
}
