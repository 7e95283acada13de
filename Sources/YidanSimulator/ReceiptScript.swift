public import YidanCore

/// One receipt customs sends about a declared message.
public struct ReceiptStep: Sendable, Equatable {
    public var returnStatus: String
    public var returnInfo: String

    public init(returnStatus: String, returnInfo: String) {
        self.returnStatus = returnStatus
        self.returnInfo = returnInfo
    }
}

/// The receipt sequences customs sends, by message kind and outcome:
/// - order, payment, waybill accepted: 2 (declaring), 3 (sent to customs), 120 (stored);
/// - inventory: 2, then after the three-document match 120, 399 (concluded),
///   800 (released), or 100 (refused) naming what did not match;
/// - refused on arrival: one receipt with the negative returnStatus.
public enum ReceiptScript {
    /// returnStatus for a message that does not validate against the schema.
    public static let schemaInvalidStatus = "-1"
    /// returnStatus for a tax or FX filing whose XML signature does not verify
    /// (yidan's own authority contract, `TAX-RECEIPT`/`FX-RECEIPT` scopes).
    public static let badSignatureStatus = "-2"
    /// returnStatus and returnInfo for a customs message whose XML signature does not
    /// verify, as the 202205 message specification lists them (§7 错误信息):
    /// table 7-2 gives the inventory family its own 验签失败 codes (CEB621
    /// −621029, CEB623 −623029, CEB625 −625005); the order, payment and waybill
    /// families have none there, so they get the data-exchange platform's
    /// security error of table 7-1, 1001 数字签名无效.
    public static func badSignatureCode(for kind: MessageKind) -> (status: String, info: String) {
        switch kind {
        case .ceb621: ("-621029", "验签失败！")
        default: ("1001", "数字签名无效")
        }
    }

    /// returnStatus for an inventory refused by customs (海关退单).
    public static let refusedStatus = "100"
    /// Longest returnInfo the receipt schema allows.
    public static let maxInfoLength = 1000

    /// The first receipt of every accepted message.
    public static func declaring(_ guid: String) -> ReceiptStep {
        ReceiptStep(returnStatus: "2", returnInfo: "新增申报成功[\(guid)]")
    }

    /// All receipts of an accepted order, payment or waybill; for an inventory,
    /// the receipts after a successful three-document match.
    public static func afterAcceptance(of kind: MessageKind, guid: String) -> [ReceiptStep] {
        switch kind {
        case .ceb311, .ceb411, .ceb511, .ceb303, .ceb403, .ceb505:
            [
                declaring(guid),
                ReceiptStep(returnStatus: "3", returnInfo: "发送海关成功[\(guid)]"),
                ReceiptStep(returnStatus: "120", returnInfo: "海关入库[\(guid)]"),
            ]
        case .ceb621, .ceb603:
            [
                ReceiptStep(returnStatus: "120", returnInfo: "海关入库：三单对碰成功[\(guid)]"),
                ReceiptStep(returnStatus: "399", returnInfo: "海关审结[\(guid)]"),
                ReceiptStep(returnStatus: "800", returnInfo: "放行[\(guid)]"),
            ]
        default:
            [declaring(guid)]  // only customs declarations reach this gateway's script
        }
    }

    /// The refusal of an inventory whose order, payment or waybill did not match in time.
    public static func unmatched(_ problems: [String], guid: String) -> ReceiptStep {
        ReceiptStep(returnStatus: refusedStatus, returnInfo: clip("海关退单：三单对碰失败 [\(guid)]: " + problems.joined(separator: "; ")))
    }

    public static func schemaInvalid(_ messages: [String]) -> ReceiptStep {
        ReceiptStep(returnStatus: schemaInvalidStatus, returnInfo: clip("报文校验失败 (schema): " + messages.joined(separator: "; ")))
    }

    /// A tax or FX filing's bad-signature receipt (`badSignatureStatus`).
    public static func badSignature(_ reason: String) -> ReceiptStep {
        ReceiptStep(returnStatus: badSignatureStatus, returnInfo: clip("签名验证失败 (signature): " + reason))
    }

    /// A customs message's bad-signature receipt, with the spec's code for its kind.
    public static func badSignature(_ reason: String, kind: MessageKind) -> ReceiptStep {
        let code = badSignatureCode(for: kind)
        return ReceiptStep(returnStatus: code.status, returnInfo: clip("\(code.info) (signature): " + reason))
    }

    /// The order in which steps go out: as given, or with the last two swapped
    /// when the fault plan asks for out-of-order receipts.
    public static func deliveryOrder(_ steps: [ReceiptStep], outOfOrder: Bool) -> [ReceiptStep] {
        guard outOfOrder, steps.count >= 2 else { return steps }
        var swapped = steps
        swapped.swapAt(steps.count - 1, steps.count - 2)
        return swapped
    }

    /// Replaces the quoted values in a libxml2 schema message with `***`, so a
    /// receipt (which yidan stores and shows) never echoes personal data:
    /// "Element '{…}goodsValue': 'a lot' is not a valid value …" keeps the
    /// element name and loses the value.
    public static func redactingValues(_ message: String) -> String {
        var out = ""
        var rest = Substring(message)
        while let open = [rest.range(of: "': '"), rest.range(of: "value '")].compactMap({ $0?.upperBound }).min() {
            out += rest[..<open]
            rest = rest[open...]
            guard let close = rest.firstIndex(of: "'") else { break }
            out += "***"
            rest = rest[close...]
        }
        return out + rest
    }

    static func clip(_ text: String) -> String {
        text.count <= maxInfoLength ? text : String(text.prefix(maxInfoLength - 1)) + "…"
    }
}
