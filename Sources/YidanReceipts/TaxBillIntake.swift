public import Foundation
public import YidanCore
public import YidanStore
import YidanIngest
import YidanXML
public import Logging

/// Takes in customs tax bills (CEB816) arriving on the receipt channels:
/// finds the order by the bill's inventory number (carried by the CEB622
/// receipts), recomputes the tax yidan withheld from the stored order,
/// reconciles the two (`TaxReconciliation`) and stores the bill with the
/// outcome. A bill whose inventory no order has is stored and reported
/// (`unmatched`), never dropped.
public struct TaxBillIntake: Sendable {
    public let store: any FilingStore
    /// Rates to recompute the withheld tax; nil stores bills as `unchecked`.
    public let taxRates: TaxRateTable?
    let logger: Logger

    public init(store: any FilingStore, taxRates: TaxRateTable?, logger: Logger = Logger(label: "yidan.taxbills")) {
        self.store = store
        self.taxRates = taxRates
        self.logger = logger
    }

    /// The CEB816 message in `bytes` (bare or in a DxpMsg envelope), or nil when
    /// they hold something else (a receipt), so the caller reads them as before.
    public static func taxBillMessage(in bytes: Data) throws -> Data? {
        let document = try XMLDocument.parse(bytes)
        guard let root = document.root else { return nil }
        if root.localName == "DxpMsg", root.namespaceURI == TaxBillParser.dxpNamespace {
            guard let data = root.firstChild("Data", namespaceURI: TaxBillParser.dxpNamespace),
                  let inner = Data(base64Encoded: data.text.filter { !$0.isWhitespace })
            else { return nil }
            return try taxBillMessage(in: inner)
        }
        return root.localName == "CEB816Message" && root.namespaceURI == TaxBillParser.cebNamespace ? bytes : nil
    }

    /// Parses, reconciles and stores every bill in a CEB816 message.
    @discardableResult
    public func take(message: Data, channel: String, receivedAt: Date = Date()) async throws -> [TaxBillRecord] {
        var records: [TaxBillRecord] = []
        for bill in try TaxBillParser.parse(message) {
            let record = try await reconcile(bill, raw: message, channel: channel, receivedAt: receivedAt)
            try await store.recordTaxBill(record)
            switch record.status {
            case .reconciled:
                logger.info("tax bill reconciled", metadata: ["taxNo": "\(bill.taxNo)", "order": "\(record.orderNo ?? "-")"])
            case .differs:
                logger.warning("tax bill differs from the withheld tax", metadata: [
                    "taxNo": "\(bill.taxNo)", "order": "\(record.orderNo ?? "-")", "differences": "\(record.differences.count)",
                ])
            case .unmatched:
                logger.warning("tax bill for an unknown inventory kept", metadata: ["taxNo": "\(bill.taxNo)", "invtNo": "\(bill.invtNo)"])
            case .unchecked:
                logger.warning("tax bill kept unchecked", metadata: ["taxNo": "\(bill.taxNo)", "reason": "\(record.note ?? "-")"])
            }
            records.append(record)
        }
        return records
    }

    func reconcile(_ bill: TaxBill, raw: Data, channel: String, receivedAt: Date) async throws -> TaxBillRecord {
        var record = TaxBillRecord(
            guid: bill.guid, taxNo: bill.taxNo, invtNo: bill.invtNo, orderNo: nil, status: .unmatched, differences: [],
            raw: raw, receivedAt: receivedAt, channel: channel
        )
        guard let orderNo = try await store.orderNo(forInvtNo: bill.invtNo) else { return record }
        record.orderNo = orderNo
        guard let taxRates else {
            record.status = .unchecked
            record.note = "no tax-rate table to recompute the withheld tax"
            return record
        }
        let expected: OrderTax
        let order: NormalizedOrder
        do {
            guard let json = try await store.orderJSON(orderNo: orderNo) else {
                throw YidanError(.store, "order \(orderNo) has no stored order document")
            }
            order = try NormalizedOrderJSON.decode(json)
            // The annual total before the order only decides eligibility, never
            // an amount, and the order was accepted: recompute from zero.
            expected = try CompositeTax.compute(order: order, rates: taxRates, annualUsedBefore: 0)
        } catch {
            record.status = .unchecked
            record.note = (error as? YidanError)?.message ?? "the withheld tax cannot be recomputed"
            return record
        }
        var identified = bill
        identified.orderNo = orderNo
        let differences = TaxReconciliation.compare(
            bill: identified, expected: expected, gcodes: order.items.map(\.gcode), invtNo: bill.invtNo, orderNo: orderNo
        )
        record.differences = differences.map {
            TaxBillRecord.Difference(kind: "\($0.kind)", field: $0.field.rawValue, gnum: $0.gnum, expected: $0.expected, billed: $0.billed)
        }
        record.status = differences.isEmpty ? .reconciled : .differs
        return record
    }
}
