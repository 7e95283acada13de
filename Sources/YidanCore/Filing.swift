/// The authority a filing goes to: one declaration reaches all three.
public enum Authority: String, Sendable, Hashable, CaseIterable {
    /// China customs, through the e-port data-exchange gateway (CEB messages).
    case customs
    /// The tax authority: the withheld cross-border composite tax.
    case tax
    /// The foreign-exchange administration: balance-of-payments records.
    case fx
}

/// Which way the goods go.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case `import`
    case export
}

/// The kinds of message yidan files: CEB messages by their type, and the
/// project's own tax and FX filings.
public enum MessageKind: String, Sendable, Hashable, CaseIterable, Comparable {
    // Import declarations.
    case ceb311 = "CEB311"
    case ceb411 = "CEB411"
    case ceb511 = "CEB511"
    case ceb621 = "CEB621"
    // Export declarations.
    case ceb303 = "CEB303"
    case ceb403 = "CEB403"
    case ceb505 = "CEB505"
    case ceb603 = "CEB603"
    /// 汇总申请单: asks customs to summarise released statisticsFlag B export
    /// inventories into a customs declaration (answered by CEB702, then CEB792).
    case ceb701 = "CEB701"
    // Changes to a declared import (`FilingPurpose`).
    /// 撤销申请单: cancels an inventory before release.
    case ceb623 = "CEB623"
    /// 退货申请单: returns released goods within the return window.
    case ceb625 = "CEB625"
    // The other authorities (`docs/filings.md`).
    case taxImport = "TAX-IMPORT"
    case fxPayment = "FX-PAYMENT"
    /// The no-invoice exemption record of an export (docs/filings.md, "Export tax record").
    case taxExport = "TAX-EXPORT"
    /// The balance-of-payments record of an export's money flowing in (docs/filings.md, "Export FX record").
    case fxExport = "FX-EXPORT"

    /// The four customs messages of a cross-border retail import.
    public static let importDeclaration: [MessageKind] = [.ceb311, .ceb411, .ceb511, .ceb621]
    /// The four customs messages of a cross-border e-commerce export.
    public static let exportDeclaration: [MessageKind] = [.ceb303, .ceb403, .ceb505, .ceb603]

    /// The root element name, e.g. `CEB311Message`, `TaxImportFiling`.
    public var rootElement: String {
        switch self {
        case .taxImport: "TaxImportFiling"
        case .fxPayment: "FxPaymentFiling"
        case .taxExport: "TaxExportFiling"
        case .fxExport: "FxExportFiling"
        default: rawValue + "Message"
        }
    }
    /// The receipt that answers it (CEB312 for CEB311, …).
    public var receiptKind: ReceiptKind {
        switch self {
        case .ceb311: .ceb312
        case .ceb411: .ceb412
        case .ceb511: .ceb512
        case .ceb621: .ceb622
        case .ceb303: .ceb304
        case .ceb403: .ceb404
        case .ceb505: .ceb506
        case .ceb603: .ceb604
        case .ceb623: .ceb624
        case .ceb625: .ceb626
        // CEB702 is its receipt; the CEB792 summary result answers it too (`ReceiptKind.answers`).
        case .ceb701: .ceb702
        case .taxImport, .taxExport: .taxReceipt
        case .fxPayment, .fxExport: .fxReceipt
        }
    }
    public var authority: Authority {
        switch self {
        case .taxImport, .taxExport: .tax
        case .fxPayment, .fxExport: .fx
        default: .customs
        }
    }
    public var direction: Direction {
        MessageKind.exportDeclaration.contains(self) || self == .ceb701 || self == .taxExport || self == .fxExport ? .export : .import
    }
    /// What a person calls it.
    public var label: String {
        switch self {
        case .ceb311, .ceb303: "order"
        case .ceb411: "payment"
        case .ceb403: "receipt of payment"
        case .ceb511, .ceb505: "waybill"
        case .ceb621, .ceb603: "inventory"
        case .ceb623: "cancel"
        case .ceb625: "return"
        case .ceb701: "summary"
        case .taxImport: "tax"
        case .taxExport: "export tax"
        case .fxPayment: "FX"
        case .fxExport: "export FX"
        }
    }
    /// The status at which this kind of filing is done and good.
    public var finalSuccess: FilingStatus {
        switch self {
        case .ceb621, .ceb603: .released
        // CEB624/626 end at 399 海关审结: customs approved the cancel or return.
        case .ceb623, .ceb625: .concluded
        // A summary is done when its CEB792 result arrives (recorded as 399, `docs/filings.md`).
        case .ceb701: .concluded
        default: .stored
        }
    }

    /// Filings of the same order that must have left the outbox before this
    /// one is sent: customs matches an inventory against the order, payment
    /// and waybill it already holds (the three-document match), so sending the
    /// inventory first only earns a refusal.
    public var prerequisites: [MessageKind] {
        switch self {
        case .ceb621: [.ceb311, .ceb411, .ceb511]
        case .ceb603: [.ceb303, .ceb403, .ceb505]
        // The tax and FX authorities compare with the CEB311 taxTotal and the
        // CEB411 amountPaid customs holds: after an amendment, the new version
        // must be there first.
        case .taxImport: [.ceb311]
        case .fxPayment: [.ceb411]
        default: []
        }
    }

    public static func < (lhs: MessageKind, rhs: MessageKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum ReceiptKind: String, Sendable, Hashable, CaseIterable {
    case ceb312 = "CEB312"
    case ceb412 = "CEB412"
    case ceb512 = "CEB512"
    case ceb622 = "CEB622"
    case ceb304 = "CEB304"
    case ceb404 = "CEB404"
    case ceb506 = "CEB506"
    case ceb604 = "CEB604"
    case ceb624 = "CEB624"
    case ceb626 = "CEB626"
    /// Receipt of a CEB701 summary request.
    case ceb702 = "CEB702"
    /// 汇总结果单: customs' result of a CEB701, carrying the declaration's `entryId`.
    case ceb792 = "CEB792"
    case taxReceipt = "TAX-RECEIPT"
    case fxReceipt = "FX-RECEIPT"

    public var rootElement: String {
        switch self {
        case .taxReceipt: "TaxFilingReceipt"
        case .fxReceipt: "FxFilingReceipt"
        default: rawValue + "Message"
        }
    }
    public var answers: MessageKind {
        switch self {
        case .ceb312: .ceb311
        case .ceb412: .ceb411
        case .ceb512: .ceb511
        case .ceb622: .ceb621
        case .ceb304: .ceb303
        case .ceb404: .ceb403
        case .ceb506: .ceb505
        case .ceb604: .ceb603
        case .ceb624: .ceb623
        case .ceb626: .ceb625
        case .ceb702, .ceb792: .ceb701
        case .taxReceipt: .taxImport
        case .fxReceipt: .fxPayment
        }
    }
}

/// Where a filing stands. The raw values are what the store keeps and what
/// `yidan list --status` takes.
///
/// Statuses after `delivered` come from customs receipts (`returnStatus`): the
/// table `Mappings/tables/return-status.csv` says which code means which status.
/// `rank` orders them: a filing only ever moves to a higher rank, so a late or
/// duplicated receipt can never move it backwards.
public enum FilingStatus: String, Sendable, Hashable, CaseIterable {
    /// Accepted and waiting in the outbox for its first or next attempt.
    case queued
    /// Claimed by a dispatcher, being posted now.
    case sending
    /// The data-exchange gateway took the envelope; waiting for receipts.
    case delivered
    /// returnStatus 2: received by the e-port, being declared (电子口岸申报中).
    case declaring
    /// returnStatus 3: forwarded to customs (发送海关成功).
    case sentToCustoms = "sent-to-customs"
    /// returnStatus 120: entered into the customs system (海关入库). Final for 311/411/511.
    case stored
    /// returnStatus 300: under manual review (人工审核).
    case reviewing
    /// returnStatus 500-599: inspection or detention (查验 / 扣留).
    case inspecting
    /// returnStatus 399: customs concluded its review (海关审结).
    case concluded
    /// returnStatus 800: released (放行). Final for 621.
    case released
    /// returnStatus 899: closed (结关).
    case closed
    /// returnStatus 100, 4 or a negative code: refused by customs or the e-port.
    case rejected
    /// Delivery retries exhausted or a permanent transport error.
    case dead

    public var rank: Int {
        switch self {
        case .queued: 0
        case .sending: 1
        case .delivered: 2
        case .declaring: 3
        case .sentToCustoms: 4
        case .stored: 5
        case .reviewing: 6
        case .inspecting: 7
        case .concluded: 8
        case .released: 9
        case .closed: 10
        case .rejected, .dead: 100
        }
    }

    /// True once nothing more can happen to a filing of this kind.
    public func isTerminal(for kind: MessageKind) -> Bool {
        switch self {
        case .rejected, .dead, .closed: true
        case .released: true
        case .stored: kind.finalSuccess == .stored
        case .concluded: kind.finalSuccess == .concluded
        default: false
        }
    }

    /// True while the filing is still ours to deliver (in the outbox).
    public var isAwaitingDelivery: Bool { self == .queued || self == .sending }
}
