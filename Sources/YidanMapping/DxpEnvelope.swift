public import Foundation
public import YidanCore
import YidanXML

/// The `DxpMsg` transport envelope of the China E-Port data exchange platform
/// (DXP): a CEB message travels base64-encoded in `Data`, addressed by `TransInfo`.
///
/// ```xml
/// <dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="1.0">
///   <dxp:TransInfo>
///     <dxp:CopMsgId>…</dxp:CopMsgId> <dxp:SenderId>…</dxp:SenderId>
///     <dxp:ReceiverIds><dxp:ReceiverId>…</dxp:ReceiverId></dxp:ReceiverIds>
///     <dxp:CreatTime>2026-11-29T10:15:00+08:00</dxp:CreatTime> <dxp:MsgType>CEB311Message</dxp:MsgType>
///   </dxp:TransInfo>
///   <dxp:Data>base64…</dxp:Data>
/// </dxp:DxpMsg>
/// ```
/// Element names and order follow the terminal-node definition
/// (海关跨境终端节点报文定义202205.xsd); `CreatTime` is the specification's spelling.
public struct DxpEnvelope: Sendable, Equatable {
    public static let namespaceURI = "http://www.chinaport.gov.cn/dxp"
    public static let version = "1.0"

    /// The sender's id of the carried message (yidan: the filing id).
    public var copMsgId: String
    /// Sender's DXP node id (1–16 characters).
    public var senderId: String
    /// Receivers' DXP node ids (1–5 of them, 1–16 characters each).
    public var receiverIds: [String]
    public var createTime: ZonedDateTime
    /// The carried message's root element, e.g. `CEB311Message`.
    public var msgType: String
    /// The carried message's exact bytes.
    public var data: Data

    public init(copMsgId: String, senderId: String, receiverIds: [String], createTime: ZonedDateTime, msgType: String, data: Data) {
        self.copMsgId = copMsgId
        self.senderId = senderId
        self.receiverIds = receiverIds
        self.createTime = createTime
        self.msgType = msgType
        self.data = data
    }

    /// The envelope document as UTF-8 bytes (not pretty-printed, so its bytes
    /// depend only on the fields: the same envelope always serializes the same).
    public func xml() -> Data {
        let document = XMLDocument(rootName: "DxpMsg", namespaceURI: Self.namespaceURI, prefix: "dxp")
        guard let root = document.root else { return Data() }
        root.setAttribute("ver", Self.version)
        let transInfo = root.addChild("TransInfo")
        transInfo.addChild("CopMsgId", text: copMsgId)
        transInfo.addChild("SenderId", text: senderId)
        let receivers = transInfo.addChild("ReceiverIds")
        for receiver in receiverIds {
            receivers.addChild("ReceiverId", text: receiver)
        }
        transInfo.addChild("CreatTime", text: Self.dateTimeText(createTime))
        transInfo.addChild("MsgType", text: msgType)
        root.addChild("Data", text: data.base64EncodedString())
        return document.serialized(pretty: false)
    }

    /// Reads an envelope. Throws `YidanError(.xml)` for anything that is not a
    /// well-formed `DxpMsg` with the parts above (the document is parsed with the
    /// hardened parser: no DTD, no entities, no network).
    public static func parse(_ bytes: Data) throws -> DxpEnvelope {
        let document = try XMLDocument.parse(bytes)
        guard let root = document.root, root.localName == "DxpMsg", root.namespaceURI == namespaceURI else {
            throw YidanError(.xml, "not a DxpMsg envelope (expected root DxpMsg in \(namespaceURI))")
        }
        func child(_ parent: XMLNode, _ name: String) throws -> XMLNode {
            guard let node = parent.firstChild(name, namespaceURI: namespaceURI) else {
                throw YidanError(.xml, "DxpMsg envelope lacks \(name)")
            }
            return node
        }
        func text(_ parent: XMLNode, _ name: String) throws -> String {
            let value = try child(parent, name).trimmedText
            guard !value.isEmpty else { throw YidanError(.xml, "DxpMsg envelope has an empty \(name)") }
            return value
        }
        let transInfo = try child(root, "TransInfo")
        let receivers = try child(transInfo, "ReceiverIds")
            .children("ReceiverId", namespaceURI: namespaceURI)
            .map { $0.trimmedText }
        guard !receivers.isEmpty, !receivers.contains(where: \.isEmpty) else {
            throw YidanError(.xml, "DxpMsg envelope has no ReceiverId")
        }
        let createText = try text(transInfo, "CreatTime")
        guard let createTime = parseDateTime(createText) else {
            throw YidanError(.xml, "DxpMsg CreatTime is not an xs:dateTime: \(createText)")
        }
        // Line breaks inside base64 are common; whitespace is not data.
        let encoded = Base64Text.removingWhitespace(try child(root, "Data").text)
        guard let payload = Data(base64Encoded: encoded) else {
            throw YidanError(.xml, "DxpMsg Data is not valid base64")
        }
        return DxpEnvelope(
            copMsgId: try text(transInfo, "CopMsgId"),
            senderId: try text(transInfo, "SenderId"),
            receiverIds: receivers,
            createTime: createTime,
            msgType: try text(transInfo, "MsgType"),
            data: payload
        )
    }

    /// xs:dateTime with the stated offset and milliseconds, e.g. `2026-11-29T10:15:00.123+08:00`.
    static func dateTimeText(_ time: ZonedDateTime) -> String {
        let iso = time.iso8601
        // iso8601 is yyyy-MM-ddTHH:mm:ss followed by the zone; put the milliseconds before the zone.
        let millis = time.format("SSS")
        let head = iso.prefix(19)
        let zone = iso.dropFirst(19)
        return millis == "000" ? iso : "\(head).\(millis)\(zone)"
    }

    /// xs:dateTime; one without a zone is taken as Beijing time (the DXP's own clock).
    static func parseDateTime(_ text: String) -> ZonedDateTime? {
        if let zoned = ZonedDateTime(iso8601: text) { return zoned }
        let offset = ZonedDateTime.beijingOffsetSeconds
        return ZonedDateTime(iso8601: text + "+08:00").map { ZonedDateTime(instant: $0.instant, utcOffsetSeconds: offset) }
    }
}
