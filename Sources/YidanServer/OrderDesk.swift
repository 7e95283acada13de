public import Foundation
public import YidanCore
public import YidanIngest
public import YidanRouter
public import YidanStore

/// What the merchant API does, apart from HTTP: files orders (any payload
/// `yidan submit` accepts), shows them masked, and files their changes, each
/// only for a key allowed to see the order's merchant.
public struct OrderDesk: Sendable {
    public let runtime: RouterRuntime
    public let store: any BrokerStore & AccessStore
    /// Normalized order JSON, or platform payloads with the merchant's files.
    public let normalizer: any OrderNormalizer
    /// What each receipt code means, in Chinese and English (`Mappings/tables/receipt-codes.csv`).
    public let receiptCodes: ReceiptCodeTable

    public init(runtime: RouterRuntime, store: any BrokerStore & AccessStore, normalizer: any OrderNormalizer, receiptCodes: ReceiptCodeTable) {
        self.runtime = runtime
        self.store = store
        self.normalizer = normalizer
        self.receiptCodes = receiptCodes
    }

    /// An answer: HTTP status and the exact JSON bytes (what an idempotent replay returns).
    public struct Answer: Sendable, Equatable {
        public var status: Int
        public var body: Data
    }

    /// `POST /v1/orders`: 201 with the filings when new, 200 when the order
    /// number was filed before (nothing filed twice). With an `Idempotency-Key`
    /// the first successful answer is stored and replayed byte for byte; the
    /// same key with another body is 422 `idempotency-key-reused`.
    public func submit(body: Data, idempotencyKey: String?, by principal: Principal) async throws -> Answer {
        guard let idempotencyKey else { return try await file(body: body, by: principal) }
        guard !idempotencyKey.isEmpty, idempotencyKey.count <= 255 else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters", field: "Idempotency-Key")
        }
        let holder = "\(principal.role.rawValue):\(principal.subject)"
        let digest = AuditEntry.digest(Data("POST /v1/orders\n".utf8) + body)
        if let first = try await store.idempotencyRecord(key: idempotencyKey, merchant: holder) {
            return try Self.replay(first, digest: digest)
        }
        let answer = try await file(body: body, by: principal)
        let kept = try await store.storeIdempotencyRecord(IdempotencyRecord(
            key: idempotencyKey, merchant: holder, requestDigest: digest, responseStatus: answer.status,
            responseBody: answer.body, createdAt: Date()
        ))
        // A concurrent retry may have stored its answer first: everyone gets that one.
        return try Self.replay(kept, digest: digest)
    }

    static func replay(_ record: IdempotencyRecord, digest: String) throws -> Answer {
        guard record.requestDigest == digest else {
            throw APIError(
                .unprocessableContent, code: "idempotency-key-reused",
                message: "this Idempotency-Key was used with a different request body", field: "Idempotency-Key"
            )
        }
        return Answer(status: record.responseStatus, body: record.responseBody)
    }

    func file(body: Data, by principal: Principal) async throws -> Answer {
        let order = try normalize(body)
        guard principal.mayAccess(merchant: order.enterprises.ebcCode) else {
            throw APIError.forbidden("this key may not file orders of merchant \(order.enterprises.ebcCode)")
        }
        if let owner = try await store.orderMerchant(orderNo: order.orderNo), owner != order.enterprises.ebcCode {
            throw APIError(.conflict, code: "order-number-taken", message: "order number \(order.orderNo) belongs to another merchant", field: "/orderNo")
        }
        let receipt = try await runtime.submit(json: NormalizedOrderJSON.encode(order))
        let json: JSONOut = [
            "orderNo": .string(receipt.orderNo),
            "accepted": .bool(receipt.isNew),
            "taxTotal": .decimal(receipt.taxTotal),
            "filings": .array(receipt.filings.map { ["kind": .string($0.kind.rawValue), "id": .string($0.id), "authority": .string($0.kind.authority.rawValue)] }),
            "href": .string("/v1/orders/\(receipt.orderNo)"),
        ]
        return Answer(status: receipt.isNew ? 201 : 200, body: Data(json.serialized.utf8))
    }

    /// One order from the request body; a body listing several orders is refused
    /// (one order per request, so one answer per key).
    func normalize(_ body: Data) throws -> NormalizedOrder {
        let value: JSONValue
        do {
            value = try NormalizedOrderJSON.parser.parse(Array(body))
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error.description)")
        }
        let documents = normalizer.normalize(OrderDocument(location: "body", content: .json([value])))
        guard documents.count == 1, let document = documents.first else {
            throw APIError(.unprocessableContent, code: "invalid-order", message: "send one order per request (the body holds \(documents.count))")
        }
        return try document.result.get()
    }

    /// The order's merchant, once the key may see it: 404 unknown, 403 another merchant's.
    func authorize(orderNo: String, for principal: Principal) async throws {
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty else { throw APIError.notFound("no order \(orderNo)") }
        let merchant = try await store.orderMerchant(orderNo: orderNo)
        guard principal.mayAccess(merchant: merchant) else {
            throw APIError.forbidden("this key may not see order \(orderNo)")
        }
    }

    /// `POST /v1/orders/{orderNo}/amend`: the body is the whole amended order.
    public func amend(orderNo: String, body: Data, by principal: Principal) async throws -> JSONOut {
        try await authorize(orderNo: orderNo, for: principal)
        let order = try normalize(body)
        guard order.orderNo == orderNo else {
            throw APIError(.unprocessableContent, code: "invalid-order", message: "the amended order's number must be \(orderNo)", field: "/orderNo")
        }
        let receipt = try await runtime.environment.changes.amend(order)
        return [
            "orderNo": .string(receipt.orderNo),
            "taxTotal": .decimal(receipt.taxTotal),
            "allowanceChange": .decimal(receipt.allowanceChange),
            "unchanged": .array(receipt.unchanged.map { .string($0.rawValue) }),
            "filings": .array(receipt.filings.map {
                ["kind": .string($0.kind.rawValue), "id": .string($0.id), "purpose": .string($0.purpose.rawValue), "supersedes": .optional($0.supersedes)]
            }),
        ]
    }

    /// `POST /v1/orders/{orderNo}/cancel|return`: body `{"reason": "…"}`.
    public func change(_ kind: OrderChangeKind, orderNo: String, body: Data, by principal: Principal) async throws -> JSONOut {
        try await authorize(orderNo: orderNo, for: principal)
        guard let value = try? NormalizedOrderJSON.parser.parse(Array(body)), case let .string(reason)? = value["reason"] else {
            throw APIError.badRequest("the body must be {\"reason\": \"…\"}", field: "/reason")
        }
        let receipt = try await runtime.environment.changes.change(kind, orderNo: orderNo, reason: reason)
        return [
            "orderNo": .string(receipt.orderNo),
            "change": .string(receipt.kind.rawValue),
            "allowanceRestored": .decimal(receipt.allowanceRestored),
            "filings": .array(receipt.filings.map {
                ["kind": .string($0.kind.rawValue), "id": .string($0.id), "purpose": .string($0.purpose.rawValue)]
            }),
        ]
    }
}
