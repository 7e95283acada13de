import Foundation
import YidanCore

/// The customs gateway's side of cross-border e-commerce exports: how the
/// CEB303/403/505/603 declarations are laid out, which business number makes
/// each unique, the export match of an inventory, and the receipts
/// (CEB304/404/506/604) answering them, all per `Mappings/schemas/ceb-export.xsd`.
extension DeclaredMessage {
    /// Wrapper, head and goods-line elements of an export declaration. The
    /// receipt of payment (`Receipts`) and the waybill (`Logistics`) hold their
    /// fields directly, so wrapper and head are the same element.
    static func exportLayout(of kind: MessageKind) -> (wrapper: String, head: String, list: String?)? {
        switch kind {
        case .ceb303: ("Order", "OrderHead", "OrderList")
        case .ceb403: ("Receipts", "Receipts", nil)
        case .ceb505: ("Logistics", "Logistics", nil)
        case .ceb603: ("Inventory", "InventoryHead", "InventoryList")
        default: nil
        }
    }

    /// True for the inventories (CEB621, CEB603), whose release waits for a match.
    var isInventory: Bool { kind == .ceb621 || kind == .ceb603 }
}

extension CustomsLedger {
    /// Business numbers of exports, as for imports: order and inventory by
    /// ebpCode + orderNo, receipt of payment by ebcCode + orderNo (what CEB404
    /// names), waybill by logisticsCode + logisticsNo.
    static func exportBusinessKeyParts(of message: DeclaredMessage) -> [String?]? {
        switch message.kind {
        case .ceb303, .ceb603: [message["ebpCode"], message["orderNo"]]
        case .ceb403: [message["ebcCode"], message["orderNo"]]
        case .ceb505: [message["logisticsCode"], message["logisticsNo"]]
        default: nil
        }
    }

    static func describeExportBusinessNumber(of message: DeclaredMessage) -> String? {
        switch message.kind {
        case .ceb303: "export order \(message["orderNo"] ?? "?") of ebpCode \(message["ebpCode"] ?? "?")"
        case .ceb403: "receipt of payment for order \(message["orderNo"] ?? "?") of ebcCode \(message["ebcCode"] ?? "?")"
        case .ceb505: "export waybill \(message["logisticsNo"] ?? "?") of logisticsCode \(message["logisticsCode"] ?? "?")"
        case .ceb603: "export inventory for order \(message["orderNo"] ?? "?") of ebpCode \(message["ebpCode"] ?? "?")"
        default: nil
        }
    }

    /// The export match of a CEB603: the order (same orderNo + ebpCode), the
    /// receipt of payment (same orderNo) and the waybill (same logisticsNo)
    /// must be on file, and:
    /// - the inventory's lines add up to the order's goodsValue, its freight and
    ///   merchant are the order's, the waybill's freight is the order's;
    /// - the money received (CEB403 charge) is in the order's currency and not
    ///   more than goodsValue + freight (a discount lowers it; CEB303 carries none).
    /// CEB505 carries no order number, so the waybill is tied by logisticsNo and
    /// logisticsCode only.
    func matchExportInventory(_ inventory: DeclaredMessage) -> InventoryMatch {
        var problems: [String] = []
        let orderNo = inventory["orderNo"] ?? ""
        let ebpCode = inventory["ebpCode"] ?? ""
        let logisticsNo = inventory["logisticsNo"] ?? ""

        let order = find(.ceb303) { $0["orderNo"] == orderNo && $0["ebpCode"] == ebpCode }
        let receipt = find(.ceb403) { $0["orderNo"] == orderNo }
        let waybill = find(.ceb505) { $0["logisticsNo"] == logisticsNo }

        if order == nil { problems.append("no export order (CEB303) on file for orderNo \(orderNo) of ebpCode \(ebpCode)") }
        if receipt == nil { problems.append("no receipt of payment (CEB403) on file for orderNo \(orderNo)") }
        if waybill == nil { problems.append("no export waybill (CEB505) on file for logisticsNo \(logisticsNo)") }

        if let order {
            compare("inventory goods total (sum of totalPrice)", inventory.linesTotal,
                    "order goodsValue", order.amount("goodsValue"), into: &problems)
            compare("inventory freight", inventory.amount("freight"), "order freight", order.amount("freight"), into: &problems)
            if inventory["ebcCode"] != order["ebcCode"] {
                problems.append("inventory ebcCode differs from the order's")
            }
            if let receipt {
                if receipt["currency"] != order["currency"] {
                    problems.append("receipt of payment currency differs from the order's")
                }
                if let charge = receipt.amount("charge"), let goods = order.amount("goodsValue"), let freight = order.amount("freight") {
                    if charge > goods + freight {
                        problems.append("receipt of payment charge \(Money.format(charge)) exceeds order goodsValue + freight \(Money.format(goods + freight))")
                    }
                } else {
                    problems.append("receipt of payment charge or order goodsValue/freight is missing or not a number")
                }
            }
            if let waybill, let waybillFreight = waybill.amount("freight") {
                compare("waybill freight", waybillFreight, "order freight", order.amount("freight"), into: &problems)
            }
        }
        if let receipt, receipt["ebpCode"] != nil, receipt["ebpCode"] != ebpCode {
            problems.append("receipt of payment ebpCode differs from the inventory's")
        }
        if let waybill, let code = inventory["logisticsCode"], waybill["logisticsCode"] != code {
            problems.append("waybill logisticsCode differs from the inventory's")
        }
        return problems.isEmpty ? .matched : .unmatched(problems)
    }
}

extension ReceiptDocument {
    /// The return element of an export receipt.
    static func exportEntryName(of kind: ReceiptKind) -> String? {
        switch kind {
        case .ceb304: "OrderReturn"
        case .ceb404: "ReceiptsReturn"
        case .ceb506: "LogisticsReturn"
        case .ceb604: "InventoryReturn"
        default: nil
        }
    }

    /// An export receipt's fields after `guid` and before the return result,
    /// in the order of `ceb-export.xsd` (and of the official samples).
    func exportEntryFields() -> [(String, String)] {
        let d = declared
        func required(_ field: String) -> String { d[field] ?? "-" }
        switch kind {
        case .ceb304:
            return [("ebpCode", required("ebpCode")), ("ebcCode", required("ebcCode")), ("orderNo", required("orderNo"))]
        case .ceb404:
            var fields = [("ebcCode", required("ebcCode")), ("orderNo", required("orderNo"))]
            if let payNo = d["payNo"] { fields.append(("payNo", payNo)) }
            return fields
        case .ceb506:
            return [("logisticsCode", required("logisticsCode")), ("logisticsNo", required("logisticsNo"))]
        case .ceb604:
            // The export inventory receipt always carries preNo and invtNo
            // (the schema requires both; customs numbers the inventory on arrival).
            return [
                ("agentCode", required("agentCode")),
                ("copNo", String((d["copNo"] ?? d["orderNo"] ?? "-").prefix(30))),
                ("preNo", preNo ?? String(repeating: "0", count: 18)),
                ("invtNo", invtNo ?? String(repeating: "0", count: 18)),
                ("ebcCode", required("ebcCode")), ("ebpCode", required("ebpCode")), ("orderNo", required("orderNo")),
                ("statisticsFlag", required("statisticsFlag")),
            ]
        default:
            return []
        }
    }
}
