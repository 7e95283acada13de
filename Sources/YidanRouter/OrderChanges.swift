public import Foundation
public import YidanCore
import YidanStore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML

/// A cancel or a return of an accepted import order.
public enum OrderChangeKind: String, Sendable, CaseIterable {
    /// CEB623 撤销申请单: the inventory is withdrawn.
    case cancel
    /// CEB625 退货申请单: released goods come back, within the return window.
    case `return`

    public var messageKind: MessageKind { self == .cancel ? .ceb623 : .ceb625 }
    var purpose: FilingPurpose { self == .cancel ? .cancel : .return }
}

/// What `cancel` / `returnGoods` filed.
public struct OrderChangeReceipt: Sendable {
    public var orderNo: String
    public var kind: OrderChangeKind
    /// The CEB623/625 first, then the tax and FX reversals.
    public var filings: [(kind: MessageKind, id: String, purpose: FilingPurpose)]
    /// How much of the buyer's annual total was given back (RMB).
    public var allowanceRestored: Decimal
}

/// Cancels and returns of accepted import orders (issue 4, "Changes over
/// time"): the customs application (CEB623 / CEB625) naming the inventory by
/// customs' number, the reversal of the tax and FX filings, and the buyer's
/// annual total given back — all stored in one transaction next to the
/// order's first filings, then dispatched like any filing.
///
/// When each is allowed (the 202205 specification makes invtNo mandatory in
/// both, so the inventory must have been numbered by customs — a CEB622
/// receipt carrying invtNo, i.e. entered at 120 or later):
/// - cancel: the inventory is numbered and not refused; an order whose
///   inventory is not numbered yet cannot be cancelled with CEB623 (customs
///   has nothing to cancel; a refused inventory needs no cancel);
/// - return: the inventory is released and the return window (30 days after
///   release, filings/RULES.md) is still open.
/// Either is refused once a cancel or return of the order is on file and not refused.
public struct OrderChanges: Sendable {
    let intake: OrderIntake
    let clock: @Sendable () -> ZonedDateTime

    /// Returns within 30 days of release (filings/RULES.md).
    public static let returnWindow: TimeInterval = 30 * 24 * 3600

    public init(intake: OrderIntake, clock: (@Sendable () -> ZonedDateTime)? = nil) {
        self.intake = intake
        self.clock = clock ?? intake.clock
    }

    public func cancel(orderNo: String, reason: String) async throws -> OrderChangeReceipt {
        try await change(.cancel, orderNo: orderNo, reason: reason)
    }

    public func returnGoods(orderNo: String, reason: String) async throws -> OrderChangeReceipt {
        try await change(.return, orderNo: orderNo, reason: reason)
    }

    public func change(_ kind: OrderChangeKind, orderNo: String, reason rawReason: String) async throws -> OrderChangeReceipt {
        let store = intake.store
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 1000 else {
            throw ValidationFailure(issues: [FieldIssue(pointer: "--reason", value: nil, rule: "must be 1 to 1000 characters")])
        }
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty, let json = try await store.orderJSON(orderNo: orderNo) else {
            throw YidanError(.notFound, "no accepted order \(orderNo)")
        }
        let order = try NormalizedOrderJSON.decode(json)
        guard !order.isExport else {
            throw YidanError(.notEligible, "order \(orderNo) is an export: \(kind.rawValue) applies to import inventories only")
        }
        if let earlier = filings.first(where: { Self.isLive($0) && ($0.kind == .ceb623 || $0.kind == .ceb625) }) {
            throw YidanError(
                .duplicate,
                "order \(orderNo) already has a \(earlier.kind.label) (\(earlier.kind.rawValue) \(earlier.id), \(earlier.status.rawValue))"
            )
        }
        guard let inventory = filings.last(where: { $0.kind == .ceb621 && Self.isLive($0) }) else {
            throw YidanError(.notEligible, "order \(orderNo) has no inventory customs could \(kind.rawValue) (CEB621 refused or undeliverable)")
        }
        let now = clock()
        if kind == .return {
            try await checkReturnWindow(inventory, orderNo: orderNo, now: now.instant)
        }
        let numbers = try await inventoryNumbers(filingID: inventory.id)
        guard let invtNo = numbers.invtNo else {
            throw YidanError(
                .notEligible,
                "cannot \(kind.rawValue) order \(orderNo) yet: customs has not numbered its inventory (no invtNo in the CEB622 "
                    + "receipts; inventory is \(inventory.status.rawValue)). CEB623/625 must name the inventory number."
            )
        }

        // The customs application.
        let catalog = intake.catalog
        let tax = try CompositeTax.compute(order: order, rates: intake.taxRates, annualUsedBefore: 0)
        let guid = MessageGUID.make(now: now.instant)
        let document = try catalog.makeChangeFiling(
            kind.messageKind, order: order, tax: tax,
            change: OrderChangeInputs(invtNo: invtNo, preNo: numbers.preNo, reason: reason), guid: guid, now: now
        )
        try XMLSignature.signEnveloped(document, with: intake.signer)
        let problems = catalog.validate(document, kind: kind.messageKind)
        guard problems.isEmpty else {
            throw YidanError(.schema, "\(kind.messageKind.rawValue) fails its schema: " + problems.map(\.description).joined(separator: "; "))
        }
        var prepared = [Self.prepared(document, id: guid, kind: kind.messageKind, purpose: kind.purpose, supersedes: inventory.id)]

        // The tax and FX reversals, of every recorded (not refused) filing's
        // latest version (an amendment already reversed the versions it replaced).
        var restored = Decimal(0)
        for original in FilingVersions.latest(filings) where (original.kind == .taxImport || original.kind == .fxPayment) && original.purpose != .reversal && Self.isLive(original) {
            guard let authorityKind = AuthorityFilingKind(rawValue: original.kind.rawValue) else { continue }
            let reversalGuid = MessageGUID.make(now: now.instant)
            let reversal = try catalog.makeReversal(of: original.payload, kind: authorityKind, guid: reversalGuid, now: now)
            try XMLSignature.signEnveloped(reversal, with: intake.signer)
            let issues = catalog.validate(reversal, authorityFiling: authorityKind)
            guard issues.isEmpty else {
                throw YidanError(.schema, "\(original.kind.rawValue) reversal fails its schema: " + issues.map(\.description).joined(separator: "; "))
            }
            prepared.append(Self.prepared(reversal, id: reversalGuid, kind: original.kind, purpose: .reversal, supersedes: original.id))
            if original.kind == .taxImport {
                restored += Self.allowanceUse(in: reversal) ?? 0
            }
        }

        // The buyer's annual total goes back down by what the order had used.
        let year = order.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year
        let delta = restored > 0
            ? AllowanceUse(buyerKey: OrderIntake.buyerKey(order.buyer), year: year, amount: -restored, limit: CompositeTax.annualLimit)
            : nil
        try await store.appendFilings(orderNo: orderNo, filings: prepared, allowanceDelta: delta, at: now.instant)
        return OrderChangeReceipt(
            orderNo: orderNo, kind: kind, filings: prepared.map { ($0.kind, $0.id, $0.purpose) }, allowanceRestored: restored
        )
    }

    /// Still counts: neither refused nor given up on.
    static func isLive(_ filing: FilingRecord) -> Bool { filing.status != .rejected && filing.status != .dead }

    static func prepared(_ document: XMLDocument, id: String, kind: MessageKind, purpose: FilingPurpose, supersedes: String) -> PreparedFiling {
        let payload = document.serialized()
        return PreparedFiling(
            id: id, kind: kind, payload: payload, idempotencyKey: OrderIntake.idempotencyKey(payload),
            purpose: purpose, supersedes: supersedes
        )
    }

    /// Released, and released no more than `returnWindow` ago. The release
    /// time is when the 800 receipt reached yidan.
    func checkReturnWindow(_ inventory: FilingRecord, orderNo: String, now: Date) async throws {
        guard inventory.status == .released || inventory.status == .closed else {
            throw YidanError(
                .notEligible,
                "cannot return order \(orderNo): its inventory is not released (\(inventory.status.rawValue)); cancel it instead"
            )
        }
        let receipts = try await intake.store.receipts(filingID: inventory.id)
        let releasedAt = receipts.first(where: { $0.returnStatus == "800" })?.receivedAt ?? inventory.updatedAt
        let closes = releasedAt.addingTimeInterval(Self.returnWindow)
        guard now <= closes else {
            let day = { (date: Date) in ZonedDateTime(instant: date, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds).format("yyyy-MM-dd HH:mm") }
            throw YidanError(
                .notEligible,
                "cannot return order \(orderNo): the return window closed \(day(closes)) (30 days after release at \(day(releasedAt)), Beijing time)"
            )
        }
    }

    /// Customs' numbers of an inventory, from its receipts (the latest that states each).
    func inventoryNumbers(filingID: String) async throws -> (invtNo: String?, preNo: String?) {
        var invtNo: String?
        var preNo: String?
        for raw in try await intake.store.receiptPayloads(filingID: filingID).reversed() {
            guard let document = try? Self.receiptDocument(raw) else { continue }
            if invtNo == nil { invtNo = Self.text(of: "invtNo", in: document) }
            if preNo == nil { preNo = Self.text(of: "preNo", in: document).flatMap { $0.allSatisfy { $0 == "0" } ? nil : $0 } }
            if invtNo != nil, preNo != nil { break }
        }
        return (invtNo, preNo)
    }

    /// The receipt itself, unwrapped from its DxpMsg envelope when it came in one.
    static func receiptDocument(_ raw: Data) throws -> XMLDocument {
        let document = try XMLDocument.parse(raw)
        guard let root = document.root, root.localName == "DxpMsg",
              let data = root.elementChildren.first(where: { $0.localName == "Data" })
        else { return document }
        guard let inner = Data(base64Encoded: data.text.filter { !$0.isWhitespace }) else {
            throw YidanError(.receipt, "/DxpMsg/Data: is not valid Base64")
        }
        return try XMLDocument.parse(inner)
    }

    static func text(of field: String, in document: XMLDocument) -> String? {
        let nodes = (try? document.select("//*[local-name()='\(field)']")) ?? []
        return nodes.map { $0.trimmedText }.first { !$0.isEmpty }
    }

    /// The tax filing's `allowanceUse`: what the order added to the buyer's annual total.
    static func allowanceUse(in taxFiling: XMLDocument) -> Decimal? {
        text(of: "allowanceUse", in: taxFiling).flatMap(Money.parse)
    }
}

extension YidanEnvironment {
    /// Cancels and returns, on this environment's store, mappings and signer.
    public var changes: OrderChanges { OrderChanges(intake: intake) }
}
