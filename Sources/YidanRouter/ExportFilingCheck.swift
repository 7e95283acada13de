import Foundation
public import YidanCore
public import YidanXML

/// The export declarations of one order must agree before they are sent:
/// customs matches the inventory (CEB603) against the order (CEB303), the
/// receipt of payment (CEB403) and the waybill (CEB505) it holds, so a
/// disagreement here only earns a refusal later.
///
/// Compared: order number (303, 403, 603), merchant and platform codes,
/// currency (all four), freight (303, 505, 603), the waybill (505 vs 603),
/// every goods line by `gnum` (303 vs 603: item number, quantity, total price)
/// and the money received: CEB403 `charge` may be less than CEB303
/// goodsValue + freight (discounts lower what is collected; CEB303 has no
/// discount field) but never more. There is no tax or FX filing to compare
/// yet. Pure: the documents in, the differences out.
public struct ExportFilingCheck: Sendable {
    public init() {}

    /// Refuses documents that disagree: `ValidationFailure` with one issue per difference.
    public func check(_ documents: [MessageKind: XMLDocument]) throws {
        try DifferenceReport.refuse(differences(documents))
    }

    /// Every difference between the documents given; kinds not given are not compared.
    public func differences(_ documents: [MessageKind: XMLDocument]) -> [FieldIssue] {
        var report = DifferenceReport()
        func field(_ kind: MessageKind, _ xpath: String) -> FieldValue? { FieldValue.read(kind, xpath, among: documents) }
        let order = "/ceb:CEB303Message/ceb:Order/ceb:OrderHead/"
        let receipt = "/ceb:CEB403Message/ceb:Receipts/"
        let waybill = "/ceb:CEB505Message/ceb:Logistics/"
        let inventory = "/ceb:CEB603Message/ceb:Inventory/ceb:InventoryHead/"

        report.agree("order number", [
            field(.ceb303, order + "ceb:orderNo"), field(.ceb403, receipt + "ceb:orderNo"), field(.ceb603, inventory + "ceb:orderNo"),
        ])
        report.agree("platform code", [
            field(.ceb303, order + "ceb:ebpCode"), field(.ceb403, receipt + "ceb:ebpCode"), field(.ceb603, inventory + "ceb:ebpCode"),
        ])
        report.agree("merchant code", [
            field(.ceb303, order + "ceb:ebcCode"), field(.ceb403, receipt + "ceb:ebcCode"), field(.ceb603, inventory + "ceb:ebcCode"),
        ])
        report.agree("currency", [
            field(.ceb303, order + "ceb:currency"), field(.ceb403, receipt + "ceb:currency"),
            field(.ceb505, waybill + "ceb:currency"), field(.ceb603, inventory + "ceb:fCurrency"),
        ])
        report.agree("freight", [
            field(.ceb303, order + "ceb:freight"), field(.ceb505, waybill + "ceb:freight"), field(.ceb603, inventory + "ceb:freight"),
        ], as: .amount)
        report.agree("waybill number", [field(.ceb505, waybill + "ceb:logisticsNo"), field(.ceb603, inventory + "ceb:logisticsNo")])
        report.agree("logistics company", [field(.ceb505, waybill + "ceb:logisticsCode"), field(.ceb603, inventory + "ceb:logisticsCode")])

        if let goods = field(.ceb303, order + "ceb:goodsValue"), let freight = field(.ceb303, order + "ceb:freight"),
           let charge = field(.ceb403, receipt + "ceb:charge"),
           let goodsValue = goods.text.flatMap(DifferenceReport.decimal), let freightValue = freight.text.flatMap(DifferenceReport.decimal),
           let chargeText = charge.text, let chargeValue = DifferenceReport.decimal(chargeText),
           chargeValue > goodsValue + freightValue {
            report.issues.append(FieldIssue(
                pointer: charge.location, value: chargeText,
                rule: "amount received must not exceed \(goods.location) + \(freight.location) = \(Money.format(goodsValue + freightValue, minScale: 2))"
            ))
        }
        agreeLines(order: documents[.ceb303], inventory: documents[.ceb603], into: &report)
        if let document = documents[.ceb303], let goods = field(.ceb303, order + "ceb:goodsValue") {
            Self.checkLinesSum(document, equal: goods, into: &report)
        }
        return report.issues
    }

    /// CEB303 and CEB603 lines by `gnum`: item number, quantity and total price.
    private func agreeLines(order: XMLDocument?, inventory: XMLDocument?, into report: inout DifferenceReport) {
        guard let order, let inventory else { return }
        let orderPath = "/ceb:CEB303Message/ceb:Order/ceb:OrderList"
        let inventoryPath = "/ceb:CEB603Message/ceb:Inventory/ceb:InventoryList"
        let orderLines = Self.lines(order, orderPath, kind: .ceb303)
        let inventoryLines = Self.lines(inventory, inventoryPath, kind: .ceb603)
        let numbers = Set(orderLines.keys).union(inventoryLines.keys).sorted { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }
        for number in numbers {
            guard let orderLine = orderLines[number], let inventoryLine = inventoryLines[number] else {
                let (missingKind, missingPath, otherPath) = orderLines[number] == nil
                    ? (MessageKind.ceb303, orderPath, "CEB603 " + inventoryPath) : (MessageKind.ceb603, inventoryPath, "CEB303 " + orderPath)
                report.issues.append(FieldIssue(
                    pointer: "\(missingKind.rawValue) \(missingPath)[gnum=\(number)]", value: nil,
                    rule: "item \(number): missing, but \(otherPath) has it"
                ))
                continue
            }
            for (name, comparison) in [("itemNo", DifferenceReport.Comparison.text), ("qty", .amount), ("totalPrice", .amount)] {
                report.agree("item \(number) \(name)", [
                    FieldValue.read(.ceb303, "ceb:" + name, under: orderLine), FieldValue.read(.ceb603, "ceb:" + name, under: inventoryLine),
                ], as: comparison)
            }
        }
    }

    static func lines(_ document: XMLDocument, _ path: String, kind: MessageKind) -> [String: XMLNode] {
        let nodes = (try? document.select(path, namespaces: CrossFilingCheck.namespaces)) ?? []
        var byNumber: [String: XMLNode] = [:]
        for node in nodes {
            byNumber[FieldValue.read(kind, "ceb:gnum", under: node).text ?? ""] = node
        }
        return byNumber
    }

    /// CEB303 goodsValue is the sum of its lines' totalPrice (customs compares
    /// the inventory's lines with it).
    static func checkLinesSum(_ order: XMLDocument, equal goods: FieldValue, into report: inout DifferenceReport) {
        guard let text = goods.text, let expected = DifferenceReport.decimal(text) else { return }
        let nodes = (try? order.select("/ceb:CEB303Message/ceb:Order/ceb:OrderList/ceb:totalPrice", namespaces: CrossFilingCheck.namespaces)) ?? []
        var sum: Decimal = 0
        for node in nodes {
            guard let value = DifferenceReport.decimal(node.trimmedText) else { return }
            sum += value
        }
        if sum != expected {
            report.issues.append(FieldIssue(
                pointer: goods.location, value: text,
                rule: "must equal the sum of CEB303 /ceb:CEB303Message/ceb:Order/ceb:OrderList/ceb:totalPrice = \(Money.format(sum, minScale: 2))"
            ))
        }
    }
}
