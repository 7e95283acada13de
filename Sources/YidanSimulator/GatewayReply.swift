import Foundation
import YidanXML

/// The gateway's synchronous answer, shaped like the data-exchange `DxpRep`:
/// `RecevierId` (sic, as the schema spells it) and one `Response` with a code
/// ("0" = taken) and an info text naming the message guid.
struct GatewayReply: Sendable, Equatable {
    static let dxpNamespace = "http://www.chinaport.gov.cn/dxp"
    static let successCode = "0"

    var httpStatus: Int
    var receiverId: String
    var responseCode: String
    var responseInfo: String

    static func accepted(receiverId: String, msgType: String, guid: String) -> GatewayReply {
        GatewayReply(httpStatus: 200, receiverId: receiverId, responseCode: successCode,
                     responseInfo: "accepted \(msgType) [\(guid)]")
    }

    static func invalid(receiverId: String, reason: String) -> GatewayReply {
        GatewayReply(httpStatus: 400, receiverId: receiverId, responseCode: "-1", responseInfo: reason)
    }

    static func fault(status: Int, receiverId: String) -> GatewayReply {
        GatewayReply(httpStatus: status, receiverId: receiverId, responseCode: String(status),
                     responseInfo: "gateway temporarily unavailable (injected fault)")
    }

    func xml() -> Data {
        let ns = Self.dxpNamespace
        let document = XMLDocument(rootName: "DxpRep", namespaceURI: ns, prefix: "dxp")
        guard let root = document.root else { return Data() }
        root.setAttribute("ver", "1.0")
        root.addChild("RecevierId", namespaceURI: ns, prefix: "dxp", text: String(receiverId.prefix(16)))
        let response = root.addChild("Response", namespaceURI: ns, prefix: "dxp", text: nil)
        response.addChild("ResponseCode", namespaceURI: ns, prefix: "dxp", text: responseCode)
        response.addChild("ResponseInfo", namespaceURI: ns, prefix: "dxp", text: String(responseInfo.prefix(300)))
        return document.serialized(pretty: false)
    }
}
