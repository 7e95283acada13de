import Foundation
import YidanXML

/// The business facts one test order shares across its four messages.
struct SampleOrder {
    var orderNo = "SIM-2026-0001"
    var ebpCode = "1105910159"
    var ebcCode = "1105910159"
    var payCode = "1105910160"
    var payTransactionId = "PAY2026000001"
    var logisticsCode = "1105910161"
    var logisticsNo = "LN2026000001"
    var buyerIdNumber = "110101199003071234"
    /// (qty, price, totalPrice) per goods line.
    var lines: [(String, String, String)] = [("2", "30.00", "60.00"), ("1", "40.00", "40.00")]
    var goodsValue = "100.00"
    var freight = "10.00"
    var taxTotal = "0"
    var acturalPaid = "110.00"
    var amountPaid = "110.00"

    static func guid() -> String { UUID().uuidString.uppercased() }
}

/// Hand-built CEB311/411/511/621 messages that follow `Mappings/schemas/ceb-import.xsd`,
/// so the simulator can be tested without the mapping stage.
enum CEBSamples {
    static let ceb = "http://www.chinaport.gov.cn/ceb"

    static func order(_ o: SampleOrder, guid: String, appType: String = "1") -> XMLDocument {
        let (document, wrapper) = start("CEB311Message", wrapper: "Order", guid: guid)
        let head = wrapper.addChild("OrderHead")
        add(head, [
            ("guid", guid), ("appType", appType), ("appTime", "20261111000005"), ("appStatus", "2"),
            ("orderType", "I"), ("orderNo", o.orderNo),
            ("ebpCode", o.ebpCode), ("ebpName", "Sim Platform"), ("ebcCode", o.ebcCode), ("ebcName", "Sim Merchant"),
            ("goodsValue", o.goodsValue), ("freight", o.freight), ("discount", "0"), ("taxTotal", o.taxTotal),
            ("acturalPaid", o.acturalPaid), ("currency", "142"),
            ("buyerRegNo", "BUYER001"), ("buyerName", "Zhang San"), ("buyerTelephone", "13812345678"),
            ("buyerIdType", "1"), ("buyerIdNumber", o.buyerIdNumber),
            ("payCode", o.payCode), ("payName", "Sim Pay"), ("payTransactionId", o.payTransactionId),
            ("consignee", "Zhang San"), ("consigneeTelephone", "13812345678"), ("consigneeAddress", "Beijing Haidian 1"),
        ])
        for (index, line) in o.lines.enumerated() {
            add(wrapper.addChild("OrderList"), [
                ("gnum", String(index + 1)), ("itemNo", "SKU\(index + 1)"), ("itemName", "Item \(index + 1)"),
                ("gmodel", "100ml"), ("unit", "007"), ("qty", line.0), ("price", line.1), ("totalPrice", line.2),
                ("currency", "142"), ("country", "116"),
            ])
        }
        finish(document)
        return document
    }

    static func payment(_ o: SampleOrder, guid: String) -> XMLDocument {
        let (document, wrapper) = start("CEB411Message", wrapper: "Payment", guid: guid)
        add(wrapper.addChild("PaymentHead"), [
            ("guid", guid), ("appType", "1"), ("appTime", "20261111000006"), ("appStatus", "2"),
            ("payCode", o.payCode), ("payName", "Sim Pay"), ("payTransactionId", o.payTransactionId),
            ("orderNo", o.orderNo), ("ebpCode", o.ebpCode), ("ebpName", "Sim Platform"),
            ("payerIdType", "1"), ("payerIdNumber", o.buyerIdNumber), ("payerName", "Zhang San"),
            ("amountPaid", o.amountPaid), ("currency", "142"), ("payTime", "20261111000006"),
        ])
        finish(document)
        return document
    }

    static func waybill(_ o: SampleOrder, guid: String) -> XMLDocument {
        let (document, wrapper) = start("CEB511Message", wrapper: "Logistics", guid: guid)
        add(wrapper.addChild("LogisticsHead"), [
            ("guid", guid), ("appType", "1"), ("appTime", "20261111000007"), ("appStatus", "2"),
            ("logisticsCode", o.logisticsCode), ("logisticsName", "Sim Express"), ("logisticsNo", o.logisticsNo),
            ("orderNo", o.orderNo), ("freight", o.freight), ("insuredFee", "0"), ("currency", "142"),
            ("weight", "1.5"), ("packNo", "1"),
            ("consignee", "Zhang San"), ("consigneeAddress", "Beijing Haidian 1"), ("consigneeTelephone", "13812345678"),
        ])
        finish(document)
        return document
    }

    /// Unsigned: the project schema requires a signature on CEB621, so callers sign it.
    static func inventory(_ o: SampleOrder, guid: String) -> XMLDocument {
        let (document, wrapper) = start("CEB621Message", wrapper: "Inventory", guid: guid)
        add(wrapper.addChild("InventoryHead"), [
            ("guid", guid), ("appType", "1"), ("appTime", "20261111000008"), ("appStatus", "2"),
            ("orderNo", o.orderNo), ("ebpCode", o.ebpCode), ("ebpName", "Sim Platform"),
            ("ebcCode", o.ebcCode), ("ebcName", "Sim Merchant"),
            ("logisticsNo", o.logisticsNo), ("logisticsCode", o.logisticsCode), ("logisticsName", "Sim Express"),
            ("copNo", "COP0001"), ("assureCode", "1105910159"), ("ieFlag", "I"), ("declTime", "20261111"),
            ("customsCode", "5141"), ("portCode", "5141"),
            ("buyerIdType", "1"), ("buyerIdNumber", o.buyerIdNumber), ("buyerName", "Zhang San"),
            ("buyerTelephone", "13812345678"), ("consigneeAddress", "Beijing Haidian 1"),
            ("agentCode", "1105910162"), ("agentName", "Sim Agent"), ("tradeMode", "9610"), ("trafMode", "5"),
            ("country", "502"), ("freight", o.freight), ("insuredFee", "0"), ("currency", "142"),
            ("packNo", "1"), ("grossWeight", "1.5"), ("netWeight", "1.2"),
        ])
        for (index, line) in o.lines.enumerated() {
            add(wrapper.addChild("InventoryList"), [
                ("gnum", String(index + 1)), ("itemNo", "SKU\(index + 1)"), ("gcode", "3304990099"),
                ("gname", "Item \(index + 1)"), ("gmodel", "100ml"), ("country", "116"), ("currency", "142"),
                ("qty", line.0), ("unit", "007"), ("qty1", line.0), ("unit1", "007"),
                ("price", line.1), ("totalPrice", line.2),
            ])
        }
        finish(document)
        return document
    }

    private static func start(_ root: String, wrapper: String, guid: String) -> (XMLDocument, XMLNode) {
        let document = XMLDocument(rootName: root, namespaceURI: ceb, prefix: "ceb")
        guard let rootNode = document.root else { fatalError("no root") }
        rootNode.setAttribute("guid", guid)
        rootNode.setAttribute("version", "1.0")
        return (document, rootNode.addChild(wrapper))
    }

    private static func finish(_ document: XMLDocument) {
        guard let root = document.root else { return }
        add(root.addChild("BaseTransfer"), [
            ("copCode", "1105910159"), ("copName", "Sim Merchant"), ("dxpMode", "DXP"), ("dxpId", "DXPENT0000000001"),
        ])
    }

    private static func add(_ parent: XMLNode, _ fields: [(String, String)]) {
        for (name, value) in fields { parent.addChild(name, text: value) }
    }
}
