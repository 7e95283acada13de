import Foundation
import Testing
import YidanCore
import YidanReceipts

/// The receipt entry points (inbox files, HTTP callbacks, DxpMsg envelopes)
/// go through the hardened XML parser: entity tricks are refused at every
/// layer, including inside a Base64 envelope.
@Suite struct HostileReceiptTests {
    static let xxeReceipt = """
        <?xml version="1.0"?>
        <!DOCTYPE CEB312Message [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="A" version="1.0"><OrderReturn>
        <guid>&xxe;</guid><ebpCode>1</ebpCode><ebcCode>1</ebcCode><orderNo>X</orderNo><returnStatus>2</returnStatus>
        <returnTime>20261129100000000</returnTime><returnInfo>x</returnInfo></OrderReturn></CEB312Message>
        """

    static func envelope(_ inner: Data, doctype: String = "") -> Data {
        Data("""
            <?xml version="1.0" encoding="UTF-8"?>\(doctype)
            <DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><TransInfo><CopMsgId>X</CopMsgId>
            <MsgType>CEB312Message</MsgType></TransInfo><Data>\(inner.base64EncodedString())</Data></DxpMsg>
            """.utf8)
    }

    @Test("an external entity in a receipt is refused, bare or inside an envelope's Base64 Data")
    func externalEntity() throws {
        for bytes in [Data(Self.xxeReceipt.utf8), Self.envelope(Data(Self.xxeReceipt.utf8))] {
            let error = try #require(throws: YidanError.self) { try ReceiptParser.parse(bytes, channel: "http") }
            #expect(error.code == .xml)
            #expect(error.message.contains("DOCTYPE"))
            #expect(!"\(error)".contains("root:"))
        }
    }

    @Test("a DOCTYPE on the envelope itself is refused before its Data is decoded")
    func doctypeOnEnvelope() throws {
        let bytes = Self.envelope(Data("<r/>".utf8), doctype: "<!DOCTYPE DxpMsg [<!ENTITY a \"b\">]>")
        let error = try #require(throws: YidanError.self) { try ReceiptParser.parse(bytes, channel: "inbox") }
        #expect(error.code == .xml)
    }

    @Test("forty envelopes nested in each other end in a YidanError, not a stack overflow")
    func nestedEnvelopes() throws {
        var bytes = Data("<r/>".utf8)
        for _ in 0..<40 { bytes = Self.envelope(bytes) }
        #expect(throws: YidanError.self) { try ReceiptParser.parse(bytes, channel: "inbox") }
    }
}
