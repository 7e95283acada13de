public import Foundation
public import YidanCore
public import YidanStore
public import Logging

/// Applies parsed receipts to the store through the pure filing lifecycle.
///
/// The store runs `decide` inside its write transaction, so two receipts for
/// the same filing arriving together cannot both read the old status.
public struct ReceiptApplier: Sendable {
    public let store: any FilingStore
    public let statuses: ReturnStatusTable
    let logger: Logger
    /// Customs tax bills (CEB816) come on the same channels; they go here.
    public let taxBills: TaxBillIntake
    /// Told of every filing a receipt moved (the export summary starts here).
    public let followUp: (any ReceiptFollowUp)?

    public init(
        store: any FilingStore, statuses: ReturnStatusTable, taxRates: TaxRateTable? = nil,
        logger: Logger = Logger(label: "yidan.receipts"), followUp: (any ReceiptFollowUp)? = nil
    ) {
        self.followUp = followUp
        self.store = store
        self.statuses = statuses
        self.logger = logger
        self.taxBills = TaxBillIntake(store: store, taxRates: taxRates, logger: logger)
    }

    /// Parses and applies every receipt in `bytes`; returns what each did.
    @discardableResult
    public func apply(bytes: Data, channel: String, receivedAt: Date = Date()) async throws -> [ReceiptEffect] {
        // A tax bill moves no filing: it is reconciled and stored on its own.
        if let bill = try TaxBillIntake.taxBillMessage(in: bytes) {
            try await taxBills.take(message: bill, channel: channel, receivedAt: receivedAt)
            return []
        }
        let records = try ReceiptParser.parse(bytes, channel: channel, receivedAt: receivedAt)
        var effects: [ReceiptEffect] = []
        for record in records {
            effects.append(try await apply(record))
        }
        return effects
    }

    public func apply(_ record: ReceiptRecord) async throws -> ReceiptEffect {
        let reported = statuses.status(for: record.returnStatus, receipt: record.kind)
        let effect = try await store.applyReceipt(record) { filing in
            guard let reported else { return nil }
            return FilingLifecycle.onReceipt(current: filing.status, kind: filing.kind, reported: reported)
        }
        switch effect {
        case let .advanced(filingID, from, to):
            logger.info("receipt moved filing", metadata: [
                "filing": "\(filingID)", "receipt": "\(record.kind.rawValue)",
                "returnStatus": "\(record.returnStatus)", "from": "\(from.rawValue)", "to": "\(to.rawValue)",
            ])
            if let followUp {
                // The receipt is stored either way: a follow-up that fails is logged, not the receipt's failure.
                do {
                    try await followUp.filingAdvanced(filingID: filingID, to: to)
                } catch {
                    logger.error("follow-up after a receipt failed", metadata: ["filing": "\(filingID)", "error": "\(error)"])
                }
            }
        case let .recordedOnly(filingID, status):
            logger.debug("receipt kept in history only", metadata: [
                "filing": "\(filingID)", "returnStatus": "\(record.returnStatus)", "status": "\(status.rawValue)",
            ])
        case .unmatched:
            // Kept in the store (filing_id NULL) and reported by `yidan list --unmatched`.
            logger.warning("receipt for an unknown filing kept", metadata: [
                "receipt": "\(record.kind.rawValue)", "guid": "\(record.messageGuid)",
            ])
        }
        if reported == nil {
            logger.warning("returnStatus not in Mappings/tables/return-status.csv; status unchanged", metadata: [
                "receipt": "\(record.kind.rawValue)", "returnStatus": "\(record.returnStatus)",
            ])
        }
        return effect
    }
}

/// Work that follows a filing's move to a new status, such as filing an
/// export's summary request once its declarations are final.
public protocol ReceiptFollowUp: Sendable {
    func filingAdvanced(filingID: String, to status: FilingStatus) async throws
}
