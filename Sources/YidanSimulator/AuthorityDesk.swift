import Foundation
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// The tax authority's and FX administration's desks of the simulator: the
/// state behind `POST /tax/filings` and `POST /fx/filings` (the stateless
/// checks, signature and schema, are `RequestExaminer`'s).
///
/// Kept inside `GatewayCore` (one actor) because the rules read the customs
/// ledger: a tax filing's total must equal the CEB311 `taxTotal` of the same
/// order, an FX record's RMB amount the CEB411 `amountPaid`.
struct AuthorityDesk: Sendable {
    /// Scoped idempotency key ("TAX-IMPORT|key") → the answer given the first time.
    var answers: [String: AuthorityAck] = [:]
    /// Scoped filing guid → the scoped key it was first applied under.
    var keyByGuid: [String: String] = [:]
    /// Raw idempotency key → times applied (0 or 1 when all is well).
    var appliedByKey: [String: Int] = [:]
    /// Scoped filing guid → the amount it filed, which a reversal of it must restate.
    var amountByGuid: [String: Decimal] = [:]

    static func scoped(_ kind: AuthorityFilingKind, _ value: String) -> String { kind.rawValue + "|" + value }
}

/// The facts of one tax or FX filing the rules look at, read as plain text so
/// a schema-invalid filing can still be answered with a receipt naming it.
struct AuthorityFilingFacts: Sendable, Equatable {
    static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"
    /// Longest guid a receipt can name (the receipt schemas allow 64).
    static let maxGuidLength = 64

    var kind: AuthorityFilingKind
    var guid: String
    /// Head (tax) / Record (FX) field local name → trimmed text.
    var fields: [String: String]

    init(kind: AuthorityFilingKind, guid: String, fields: [String: String]) {
        self.kind = kind
        self.guid = guid
        self.fields = fields
    }

    /// Throws (→ HTTP 400) when the root is not this authority's filing or
    /// carries no usable guid, since then no receipt could name it.
    init(document: XMLDocument, expecting kind: AuthorityFilingKind) throws {
        guard let root = document.root, root.namespaceURI == kind.namespaceURI, root.localName == kind.rootElement else {
            let found = document.root.map { "{\($0.namespaceURI ?? "")}\($0.localName)" } ?? "nothing"
            throw YidanError(.xml, "expected {\(kind.namespaceURI)}\(kind.rootElement), found \(found)")
        }
        let body = root.firstChild(kind.bodyElement, namespaceURI: kind.namespaceURI)
        var fields: [String: String] = [:]
        for child in body?.elementChildren ?? [] where fields[child.localName] == nil {
            fields[child.localName] = child.trimmedText
        }
        let guid = (root.attribute("guid") ?? fields["guid"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !guid.isEmpty else {
            throw YidanError(.xml, "\(kind.rootElement) has no guid")
        }
        guard guid.count <= Self.maxGuidLength, guid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw YidanError(.xml, "\(kind.rootElement) guid is not up to \(Self.maxGuidLength) letters, digits and dashes")
        }
        self.init(kind: kind, guid: guid, fields: fields)
    }

    subscript(field: String) -> String? {
        guard let value = fields[field], !value.isEmpty else { return nil }
        return value
    }

    var orderNo: String? { self["orderNo"] }

    /// The amount the rules compare with customs: tax `taxTotal`, FX `rmbAmount`.
    var amount: Decimal? { self[kind.amountField].flatMap(Money.parse) }
}

extension AuthorityFilingKind {
    /// The element under the root holding the compared fields.
    var bodyElement: String { isTax ? "Head" : "Record" }
    var amountField: String {
        switch self {
        case .taxImport: "taxTotal"
        case .fxPayment: "rmbAmount"
        case .taxExport: "totalAmount"
        // The export FX record is compared in the order's currency with the CEB403 charge.
        case .fxExport: "amount"
        }
    }
    /// Both tax records go to the tax authority (`/tax/filings`, told apart by their root).
    var isTax: Bool { self == .taxImport || self == .taxExport }
    /// Key in `SimulatorStats.authorities` and first path segment of the endpoint.
    var authorityName: String { isTax ? Authority.tax.rawValue : Authority.fx.rawValue }
    var receiptKind: ReceiptKind { isTax ? .taxReceipt : .fxReceipt }
    var receiptNamespace: String { isTax ? "urn:yidan:receipt:tax:v1" : "urn:yidan:receipt:fx:v1" }
}

/// The receipt sequences of the tax and FX desks: 1 (received), then 2
/// (accepted and recorded) or -3 (disagrees with customs); -1/-2 on arrival.
enum AuthorityScript {
    static let receivedStatus = "1"
    static let acceptedStatus = "2"
    static let disagreesStatus = "-3"

    static func received(_ facts: AuthorityFilingFacts) -> ReceiptStep {
        ReceiptStep(returnStatus: receivedStatus, returnInfo: "已接收 (received) [\(facts.guid)]")
    }

    static func accepted(_ facts: AuthorityFilingFacts) -> ReceiptStep {
        let what = switch facts.kind {
        case .taxImport: "税款申报已入库 (tax filing recorded)"
        case .taxExport: "出口免税备案已入库 (export exemption record recorded)"
        case .fxPayment: "国际收支申报已入库 (BOP record recorded)"
        case .fxExport: "出口收汇国际收支申报已入库 (export BOP record recorded)"
        }
        return ReceiptStep(returnStatus: acceptedStatus, returnInfo: "\(what) [\(facts.guid)]")
    }

    static func disagrees(_ problems: [String], _ facts: AuthorityFilingFacts) -> ReceiptStep {
        ReceiptStep(
            returnStatus: disagreesStatus,
            returnInfo: ReceiptScript.clip("与海关数据不符 (disagrees with customs) [\(facts.guid)]: " + problems.joined(separator: "; "))
        )
    }
}

/// What the customs ledger says about a tax or FX filing.
enum AuthorityReconciliation: Sendable, Equatable {
    case agrees
    /// The customs declaration is on file and disagrees: refuse now.
    case disagrees([String])
    /// Customs has not seen the declaration yet: wait, refuse after the window.
    case notOnFile([String])
}

/// Work for the receipt scheduler: the receipts one applied tax/FX filing earns.
struct AuthorityReceiptJob: Sendable {
    enum Plan: Sendable {
        /// Refused on arrival (-1 schema, -2 signature): this single receipt.
        case refused(ReceiptStep)
        /// Taken: 1, then 2 or -3 once the customs ledger has answered.
        case accepted
    }
    var facts: AuthorityFilingFacts
    var plan: Plan
}

/// Every kind of receipt work the simulator schedules.
enum SimulatorJob: Sendable {
    case customs(ReceiptJob)
    case authority(AuthorityReceiptJob)
}
