import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore

let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let importSamples = packageRoot.appendingPathComponent("../shared/reference/ceb/202205/samples/import").standardizedFileURL

@Suite struct ReceiptParserTests {
    /// Customs writes receipts with a default namespace; each sample holds ten returns.
    @Test(arguments: [
        (ReceiptKind.ceb312, "order20160321116420545"),
        (ReceiptKind.ceb412, "P0321000433"),
        (ReceiptKind.ceb512, "L20160321114400001"),
        (ReceiptKind.ceb622, "cop2016032211000"),
    ])
    func readsEveryOfficialImportReceiptSample(kind: ReceiptKind, businessNo: String) throws {
        let bytes = try Data(contentsOf: importSamples.appendingPathComponent("\(kind.rootElement).xml"))
        let records = try ReceiptParser.parse(bytes, channel: "inbox")
        #expect(records.count == 10)
        for record in records {
            #expect(record.kind == kind)
            #expect(record.messageGuid.count == 36)
            #expect(record.businessNo == businessNo)
            #expect(!record.returnStatus.isEmpty)
            #expect(record.returnTime.count == 17)
            #expect(record.raw == bytes)
        }
    }

    @Test func readsAReceiptInsideADxpEnvelope() throws {
        let inner = try Data(contentsOf: importSamples.appendingPathComponent("CEB312Message.xml"))
        let envelope = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0">
          <TransInfo><CopMsgId>X</CopMsgId><SenderId>DXPEDCCEB0000002</SenderId>
          <ReceiverIds><ReceiverId>DXPENT0000031059</ReceiverId></ReceiverIds>
          <CreatTime>2026-11-29T10:00:00</CreatTime><MsgType>CEB312Message</MsgType></TransInfo>
          <Data>\(inner.base64EncodedString())</Data>
        </DxpMsg>
        """
        let records = try ReceiptParser.parse(Data(envelope.utf8), channel: "http")
        #expect(records.count == 10)
        #expect(records.first?.kind == .ceb312)
        #expect(records.first?.channel == "http")
    }

    @Test func prefixedReceiptsReadTheSameAsUnprefixed() throws {
        let xml = """
        <ceb:CEB412Message xmlns:ceb="http://www.chinaport.gov.cn/ceb" guid="AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE" version="1.0">
          <ceb:PaymentReturn><ceb:guid>11111111-2222-3333-4444-555555555555</ceb:guid><ceb:payCode>1105910159</ceb:payCode>
          <ceb:payTransactionId>T1</ceb:payTransactionId><ceb:returnStatus>120</ceb:returnStatus>
          <ceb:returnTime>20261129100000000</ceb:returnTime><ceb:returnInfo>ok</ceb:returnInfo></ceb:PaymentReturn>
        </ceb:CEB412Message>
        """
        let record = try #require(try ReceiptParser.parse(Data(xml.utf8), channel: "inbox").first)
        #expect(record.messageGuid == "11111111-2222-3333-4444-555555555555")
        #expect(record.returnStatus == "120")
        #expect(record.businessNo == "T1")
    }

    @Test func refusesWhatIsNotAReceiptAndNamesThePath() throws {
        let wrongNamespace = #"<CEB312Message xmlns="urn:other"><OrderReturn/></CEB312Message>"#
        #expect(throws: YidanError.self) { try ReceiptParser.parse(Data(wrongNamespace.utf8), channel: "http") }

        let missing = """
        <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="A" version="1.0"><OrderReturn>
        <guid>11111111-2222-3333-4444-555555555555</guid><ebpCode>1</ebpCode><ebcCode>1</ebcCode><orderNo>O1</orderNo>
        <returnTime>20261129100000000</returnTime><returnInfo>x</returnInfo></OrderReturn></CEB312Message>
        """
        do {
            _ = try ReceiptParser.parse(Data(missing.utf8), channel: "http")
            Issue.record("a receipt without returnStatus was accepted")
        } catch let error as YidanError {
            #expect(error.message.contains("/CEB312Message/OrderReturn[1]/returnStatus"))
        }

        // External entities are never resolved, whatever the envelope says.
        let hostile = """
        <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb"><OrderReturn><guid>&x;</guid></OrderReturn></CEB312Message>
        """
        #expect(throws: (any Error).self) { try ReceiptParser.parse(Data(hostile.utf8), channel: "http") }
    }
}
