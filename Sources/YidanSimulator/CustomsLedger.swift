import Foundation
import YidanCore

/// What customs decides about a declared message when it arrives.
public enum Admission: Sendable, Equatable {
    case accepted
    /// Refused at once with a negative returnStatus and the reason.
    case refused(returnStatus: String, returnInfo: String)
}

/// Outcome of the three-document match (三单对碰) of an inventory.
public enum InventoryMatch: Sendable, Equatable {
    /// Order, payment and waybill are on file and agree with the inventory.
    case matched
    /// Something is missing or disagrees; each entry names one problem.
    case unmatched([String])
}

/// The customs side's memory of accepted declarations and the business rules
/// applied to them. Pure value type: no clock, no I/O, unit-tested on its own.
///
/// Rules:
/// - A business number may be declared by one message guid only: order by
///   ebpCode + orderNo, payment by payCode + payTransactionId, waybill by
///   logisticsCode + logisticsNo, inventory by ebpCode + orderNo. Another guid
///   declaring it again is refused with returnStatus -301010, unless it is a
///   modification (`appType` 2), which replaces the earlier declaration.
/// - An inventory is released only when the order (same orderNo + ebpCode), the
///   payment (same orderNo) and the waybill (same logisticsNo) are on file and
///   the amounts agree (see `matchInventory`).
/// - Exports follow the same rules with their own keys and the export match
///   of a CEB603 against CEB303/403/505 (`ExportDeclarations.swift`).
public struct CustomsLedger: Sendable {
    /// returnStatus customs uses for "this business number was already declared".
    public static let duplicateDeclarationStatus = "-301010"

    private var byGuid: [String: DeclaredMessage] = [:]
    private var guidByBusinessKey: [String: String] = [:]

    public init() {}

    /// The accepted declaration with this guid, if any.
    public func declaration(guid: String) -> DeclaredMessage? { byGuid[guid] }

    public var count: Int { byGuid.count }

    /// The declaration of `kind` on file for an order (and platform, when given),
    /// which the tax and FX desks compare their filings with.
    func declaration(_ kind: MessageKind, orderNo: String, ebpCode: String?) -> DeclaredMessage? {
        find(kind) { $0["orderNo"] == orderNo && (ebpCode == nil || $0["ebpCode"] == ebpCode) }
    }

    /// The key that makes a declaration unique among its kind.
    public static func businessKey(of message: DeclaredMessage) -> String {
        let parts: [String?]
        switch message.kind {
        case .ceb311, .ceb621: parts = [message["ebpCode"], message["orderNo"]]
        case .ceb411: parts = [message["payCode"], message["payTransactionId"]]
        case .ceb511: parts = [message["logisticsCode"], message["logisticsNo"]]
        default: parts = exportBusinessKeyParts(of: message) ?? [message.guid]
        }
        return message.kind.rawValue + "|" + parts.map { $0 ?? "" }.joined(separator: "|")
    }

    /// Applies the arrival rules and, when accepted, files the declaration.
    public mutating func admit(_ message: DeclaredMessage) -> Admission {
        let key = Self.businessKey(of: message)
        if let holder = guidByBusinessKey[key], holder != message.guid, !message.isModification {
            return .refused(
                returnStatus: Self.duplicateDeclarationStatus,
                returnInfo: "\(Self.describeBusinessNumber(of: message)) was already declared by message \(holder); "
                    + "a new declaration must use appType 2 (change) [\(message.guid)]"
            )
        }
        if let holder = guidByBusinessKey[key], holder != message.guid {
            byGuid[holder] = nil
        }
        guidByBusinessKey[key] = message.guid
        byGuid[message.guid] = message
        return .accepted
    }

    /// The three-document match of an inventory against what is on file.
    /// Amounts are compared exactly as decimals.
    public func matchInventory(_ inventory: DeclaredMessage) -> InventoryMatch {
        if inventory.kind == .ceb603 { return matchExportInventory(inventory) }
        var problems: [String] = []
        let orderNo = inventory["orderNo"] ?? ""
        let ebpCode = inventory["ebpCode"] ?? ""
        let logisticsNo = inventory["logisticsNo"] ?? ""

        let order = find(.ceb311) { $0["orderNo"] == orderNo && $0["ebpCode"] == ebpCode }
        let payment = find(.ceb411) { $0["orderNo"] == orderNo }
        let waybill = find(.ceb511) { $0["logisticsNo"] == logisticsNo }

        if order == nil { problems.append("no order (CEB311) on file for orderNo \(orderNo) of ebpCode \(ebpCode)") }
        if payment == nil { problems.append("no payment (CEB411) on file for orderNo \(orderNo)") }
        if waybill == nil { problems.append("no waybill (CEB511) on file for logisticsNo \(logisticsNo)") }

        if let order {
            compare("inventory goods total (sum of totalPrice)", inventory.linesTotal,
                    "order goodsValue", order.amount("goodsValue"), into: &problems)
            compare("inventory freight", inventory.amount("freight"),
                    "order freight", order.amount("freight"), into: &problems)
            if inventory["ebcCode"] != order["ebcCode"] {
                problems.append("inventory ebcCode differs from the order's")
            }
            // Personal data: say which field differs, never the values.
            if inventory["buyerIdNumber"] != order["buyerIdNumber"] {
                problems.append("inventory buyerIdNumber differs from the order's")
            }
            if let payment {
                compare("payment amountPaid", payment.amount("amountPaid"),
                        "order acturalPaid", order.amount("acturalPaid"), into: &problems)
            }
            if let waybill, let waybillFreight = waybill.amount("freight") {
                compare("waybill freight", waybillFreight, "order freight", order.amount("freight"), into: &problems)
            }
        }
        if let payment, payment["ebpCode"] != nil, payment["ebpCode"] != ebpCode {
            problems.append("payment ebpCode differs from the inventory's")
        }
        if let waybill, waybill["orderNo"] != orderNo {
            problems.append("waybill orderNo differs from the inventory's")
        }
        if let waybill, let code = inventory["logisticsCode"], waybill["logisticsCode"] != code {
            problems.append("waybill logisticsCode differs from the inventory's")
        }
        return problems.isEmpty ? .matched : .unmatched(problems)
    }

    func find(_ kind: MessageKind, where predicate: (DeclaredMessage) -> Bool) -> DeclaredMessage? {
        byGuid.values.first { $0.kind == kind && predicate($0) }
    }

    func compare(_ leftName: String, _ left: Decimal?, _ rightName: String, _ right: Decimal?, into problems: inout [String]) {
        guard let left, let right else {
            problems.append("\(leftName) or \(rightName) is missing or not a number")
            return
        }
        if left != right {
            problems.append("\(leftName) \(Money.format(left)) does not equal \(rightName) \(Money.format(right))")
        }
    }

    static func describeBusinessNumber(of message: DeclaredMessage) -> String {
        switch message.kind {
        case .ceb311: "order \(message["orderNo"] ?? "?") of ebpCode \(message["ebpCode"] ?? "?")"
        case .ceb411: "payment \(message["payTransactionId"] ?? "?") of payCode \(message["payCode"] ?? "?")"
        case .ceb511: "waybill \(message["logisticsNo"] ?? "?") of logisticsCode \(message["logisticsCode"] ?? "?")"
        case .ceb621: "inventory for order \(message["orderNo"] ?? "?") of ebpCode \(message["ebpCode"] ?? "?")"
        default: describeExportBusinessNumber(of: message) ?? "\(message.kind.rawValue) \(message.guid)"
        }
    }
}
