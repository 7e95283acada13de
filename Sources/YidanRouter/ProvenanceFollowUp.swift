import Foundation
public import Logging
public import YidanCore
import YidanIngest
public import YidanReceipts
public import YidanStore
public import YidanTrace

/// Records the provenance events yidan knows itself, as receipts move an
/// order's filings: the sale (retail_selling, at the order's time), shipping
/// (waybill stored by customs), customs declared / inspected / released (the
/// inventory's CEB622/604 receipts) and the return (CEB625 concluded). Events
/// carry the order's items (GTIN from the barcode, else the SKU), its order,
/// waybill and inventory numbers, and city-level places (customs office and
/// port codes) — never the buyer, consignee, ID numbers, phones or addresses.
public struct ProvenanceFollowUp: ReceiptFollowUp {
    let intake: OrderIntake
    public let trace: TraceStore
    let logger: Logger

    public init(intake: OrderIntake, trace: TraceStore, logger: Logger = Logger(label: "yidan.provenance")) {
        self.intake = intake
        self.trace = trace
        self.logger = logger
    }

    /// The provenance follow-up of an environment with an SQLite store (none otherwise).
    public static func followUps(environment: YidanEnvironment, logger: Logger) -> [any ReceiptFollowUp] {
        guard let trace = traceStore(for: environment.store, logger: logger) else { return [] }
        return [ProvenanceFollowUp(intake: environment.intake, trace: trace, logger: logger)]
    }

    /// The trace store beside an SQLite filing store (same file, same
    /// connection pool: one writer); nil for other stores.
    public static func traceStore(for store: any FilingStore, logger: Logger) -> TraceStore? {
        guard let sqlite = (store as? SealedFilingStore)?.sqliteBase ?? (store as? SQLiteFilingStore) else { return nil }
        do {
            return try TraceStore(sharing: sqlite.databasePool)
        } catch {
            logger.error("provenance events off: cannot open the trace store", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The step a filing's new status means, per filing kind; absent = no event.
    static let steps: [MessageKind: [FilingStatus: CommerceEvents.Step]] = [
        .ceb511: [.stored: .shipped],
        .ceb505: [.stored: .shipped],
        .ceb621: [.declaring: .customsDeclared, .sentToCustoms: .customsDeclared, .stored: .customsDeclared,
                  .inspecting: .customsInspected, .released: .customsReleased],
        .ceb603: [.declaring: .customsDeclared, .sentToCustoms: .customsDeclared, .stored: .customsDeclared,
                  .inspecting: .customsInspected, .released: .customsReleased],
        .ceb625: [.concluded: .returned],
    ]

    public func filingAdvanced(filingID: String, to status: FilingStatus) async throws {
        guard let filing = try await intake.store.filing(id: filingID) else { return }
        try await recordSale(orderNo: filing.orderNo)
        guard let step = Self.steps[filing.kind]?[status] else { return }
        // One event per step and order: a later receipt with the same meaning adds nothing.
        guard try await !trace.hasEvent(bizStep: CommerceEvents.bizStep(step), orderNo: filing.orderNo) else { return }
        guard let order = try await tracedOrder(filing.orderNo) else { return }
        let time = try await receiptTime(filingID: filingID) ?? intake.clock()
        // Checked again inside the write: two receipts of one step at once record it once.
        _ = try await trace.captureFirst(CommerceEvents.event(step, order: order, at: time), ofOrder: filing.orderNo)
    }

    /// The sale of a just-accepted order, through the applier's provenance
    /// follow-up (if it has one); a failure is logged, never the submit's failure.
    public static func recordSale(orderNo: String, applier: ReceiptApplier, logger: Logger) async {
        let provenance = (applier.followUp as? ReceiptFollowUps)?.parts.compactMap { $0 as? ProvenanceFollowUp }.first
            ?? applier.followUp as? ProvenanceFollowUp
        guard let provenance else { return }
        do {
            try await provenance.recordSale(orderNo: orderNo)
        } catch {
            logger.error("recording the sale event failed", metadata: ["order": "\(orderNo)", "error": "\(error)"])
        }
    }

    /// The sale, at the order's own time (so recording it twice is one event).
    public func recordSale(orderNo: String) async throws {
        guard let json = try await intake.store.orderJSON(orderNo: orderNo) else { return }
        let order = try NormalizedOrderJSON.decode(json)
        _ = try await trace.capture([CommerceEvents.event(.sale, order: Self.traced(order, inventoryNo: nil), at: order.orderTime)], origin: .yidan)
    }

    func tracedOrder(_ orderNo: String) async throws -> TracedOrder? {
        guard let json = try await intake.store.orderJSON(orderNo: orderNo) else { return nil }
        let order = try NormalizedOrderJSON.decode(json)
        var inventoryNo: String?
        if let inventory = FilingVersions.latest(try await intake.store.filings(orderNo: orderNo))
            .first(where: { $0.kind == .ceb621 || $0.kind == .ceb603 }) {
            inventoryNo = try await OrderChanges(intake: intake).inventoryNumbers(filingID: inventory.id).invtNo
        }
        return Self.traced(order, inventoryNo: inventoryNo)
    }

    static func traced(_ order: NormalizedOrder, inventoryNo: String?) -> TracedOrder {
        TracedOrder(
            orderNo: order.orderNo, waybillNo: order.logistics.waybillNo, inventoryNo: inventoryNo,
            customsCode: order.customs.customsCode, portCode: order.customs.portCode,
            items: order.items.map { TracedOrder.Item(sku: $0.sku, gtin: $0.barcode, quantity: $0.qty) }
        )
    }

    /// The latest receipt's returnTime (`yyyyMMddHHmmss…`, Beijing time), when it reads.
    func receiptTime(filingID: String) async throws -> ZonedDateTime? {
        guard let text = try await intake.store.receipts(filingID: filingID).last?.returnTime, text.count >= 14,
              text.prefix(14).allSatisfy(\.isNumber) else { return nil }
        let digits = Array(text.prefix(14))
        let iso = String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8]) + "T"
            + String(digits[8..<10]) + ":" + String(digits[10..<12]) + ":" + String(digits[12..<14]) + "+08:00"
        return ZonedDateTime(iso8601: iso)
    }
}

/// Several follow-ups told of the same move, in order; each runs even when
/// one before it failed, and the first failure is rethrown for the log.
public struct ReceiptFollowUps: ReceiptFollowUp {
    let parts: [any ReceiptFollowUp]

    public init(_ parts: [any ReceiptFollowUp]) { self.parts = parts }

    public func filingAdvanced(filingID: String, to status: FilingStatus) async throws {
        var failure: (any Error)?
        for part in parts {
            do {
                try await part.filingAdvanced(filingID: filingID, to: status)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }
}
