import Foundation
import YidanCore
import YidanIngest
import YidanStore

/// `GET /v1/orders/{orderNo}`: the order as a merchant or broker sees it —
/// rolled-up status, every filing version with its receipts (each code
/// explained in Chinese and English) — with the buyer's and consignee's
/// personal data masked (`Mask`).
extension OrderDesk {
    public func view(orderNo: String, by principal: Principal) async throws -> JSONOut {
        // Acknowledged with 202 and not filed yet (or refused): the queue row says where it stands.
        if let queued = try await queue?.queuedOrder(orderNo: orderNo), queued.state != .filed,
           try await store.filings(orderNo: orderNo).isEmpty {
            guard principal.mayAccess(merchant: queued.merchant) else {
                throw APIError.forbidden("this key may not see order \(orderNo)")
            }
            return [
                "orderNo": .string(orderNo),
                "status": .string(queued.state.rawValue),
                "statusText": .string(queued.state == .waiting
                    ? "accepted, waiting to be filed" : "refused: nothing was filed; fix the order and send it again"),
                "merchant": .string(queued.merchant),
                "receivedAt": .time(queued.receivedAt),
                "problem": .optional(queued.problem),
                "filings": .array([]),
            ]
        }
        try await authorize(orderNo: orderNo, for: principal)
        let filings = try await store.filings(orderNo: orderNo)
        let latest = FilingVersions.latest(filings)
        let latestIDs = Set(latest.map(\.id))
        let rollup = OrderRollup.status(of: latest.map {
            FilingSummary(kind: $0.kind, status: $0.status, lastReturnStatus: $0.lastReturnStatus, lastReturnInfo: $0.lastReturnInfo, lastError: $0.lastError)
        })
        var filingsJSON: [JSONOut] = []
        for filing in filings.sorted(by: { ($0.kind, $0.createdAt) < ($1.kind, $1.createdAt) }) {
            var receipts: [JSONOut] = []
            for receipt in try await store.receipts(filingID: filing.id) {
                receipts.append(receiptJSON(receipt))
            }
            filingsJSON.append([
                "id": .string(filing.id),
                "kind": .string(filing.kind.rawValue),
                "label": .string(filing.kind.label),
                "authority": .string(filing.kind.authority.rawValue),
                "status": .string(filing.status.rawValue),
                "final": .bool(filing.status.isTerminal(for: filing.kind)),
                "purpose": .string(filing.purpose.rawValue),
                "supersedes": .optional(filing.supersedes),
                "latest": .bool(latestIDs.contains(filing.id)),
                "attempts": .int(filing.attempts),
                "lastError": .optional(filing.lastError),
                "createdAt": .time(filing.createdAt),
                "updatedAt": .time(filing.updatedAt),
                "receipts": .array(receipts),
            ])
        }
        var body: [String: JSONOut] = [
            "orderNo": .string(orderNo),
            "status": .string(Self.statusWord(rollup)),
            "statusText": .string(rollup.description),
            "filings": .array(filingsJSON),
            "entryId": .optional(try await store.entryId(orderNo: orderNo)),
        ]
        if let json = try await store.orderJSON(orderNo: orderNo), let order = try? NormalizedOrderJSON.decode(json) {
            body["merchant"] = .string(order.enterprises.ebcCode)
            body["platform"] = .string(order.platform)
            body["tradeMode"] = .string(order.tradeMode.rawValue)
            body["orderTime"] = .string(order.orderTime.iso8601)
            body["buyer"] = [
                "name": .string(Mask.name(order.buyer.name)),
                "idNumber": .string(Mask.idNumber(order.buyer.idNumber)),
                "phone": .string(Mask.phone(order.buyer.phone)),
            ]
            body["consignee"] = [
                "name": .string(Mask.name(order.consignee.name)),
                "phone": .string(Mask.phone(order.consignee.phone)),
                "address": .string(Mask.address(order.consignee.address)),
            ]
        }
        return .object(body)
    }

    func receiptJSON(_ receipt: StoredReceipt) -> JSONOut {
        // The explanation table first; the status table's short text for a code it lacks.
        let text = receiptCodes.explain(kind: receipt.kind, code: receipt.returnStatus)
            ?? runtime.environment.returnStatuses.text(for: receipt.returnStatus, receipt: receipt.kind)
        return [
            "kind": .string(receipt.kind.rawValue),
            "returnStatus": .string(receipt.returnStatus),
            "returnInfo": .string(receipt.returnInfo),
            "returnTime": .string(receipt.returnTime),
            "receivedAt": .time(receipt.receivedAt),
            "channel": .string(receipt.channel),
            "moved": .bool(receipt.moved),
            "explanation": text.map { ["zh": .string($0.zh), "en": .string($0.en)] } ?? .null,
        ]
    }

    /// The rollup's one-word status (`rejected`, `released`, …) for clients to switch on.
    static func statusWord(_ status: OrderRollupStatus) -> String {
        switch status {
        case .rejected: "rejected"
        case .failed: "failed"
        default: status.description
        }
    }
}
