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
    /// Files the orders acknowledged with 202 (`Prefer: respond-async`); nil
    /// when the store keeps no order queue (then every POST files at once).
    public let preparer: QueuedOrderPreparer?

    public init(runtime: RouterRuntime, store: any BrokerStore & AccessStore, normalizer: any OrderNormalizer, receiptCodes: ReceiptCodeTable) {
        self.runtime = runtime
        self.store = store
        self.normalizer = normalizer
        self.receiptCodes = receiptCodes
        self.preparer = Self.orderQueue(of: store).map { QueuedOrderPreparer(runtime: runtime, queue: $0) }
    }

    public var queue: (any OrderQueueStore)? { preparer?.queue }

    /// The store's order queue, if its backend keeps one (SQLite and
    /// PostgreSQL do; a sealed store forwards to its base, so the base decides).
    static func orderQueue(of store: any BrokerStore & AccessStore) -> (any OrderQueueStore)? {
        if let sealed = store as? SealedFilingStore, !(sealed.base is any OrderQueueStore) { return nil }
        return store as? any OrderQueueStore
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
    ///
    /// `respondAsync` (`Prefer: respond-async`): the order is checked and
    /// stored durably, answered 202, and filed moments later by the preparer
    /// (`QueuedOrderPreparer`); `GET /v1/orders/{orderNo}` shows it waiting,
    /// then filed or refused. This is the sale-day path: storing one order
    /// costs far less than mapping and signing six filings.
    public func submit(body: Data, idempotencyKey: String?, by principal: Principal, respondAsync: Bool = false) async throws -> Answer {
        guard let idempotencyKey else { return try await file(body: body, by: principal, respondAsync: respondAsync) }
        guard !idempotencyKey.isEmpty, idempotencyKey.count <= 255 else {
            throw APIError.badRequest("Idempotency-Key must be 1 to 255 characters", field: "Idempotency-Key")
        }
        let holder = "\(principal.role.rawValue):\(principal.subject)"
        let digest = AuditEntry.digest(Data("POST /v1/orders\n".utf8) + body)
        if let first = try await store.idempotencyRecord(key: idempotencyKey, merchant: holder) {
            return try Self.replay(first, digest: digest)
        }
        let answer = try await file(body: body, by: principal, respondAsync: respondAsync)
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

    func file(body: Data, by principal: Principal, respondAsync: Bool = false) async throws -> Answer {
        let normalized = try normalizeOne(body)
        let order = normalized.order
        guard principal.mayAccess(merchant: order.enterprises.ebcCode) else {
            throw APIError.forbidden("this key may not file orders of merchant \(order.enterprises.ebcCode)")
        }
        if respondAsync, let queue, let preparer {
            let outcome = try await queue.enqueue(QueuedOrderSubmission(
                orderNo: order.orderNo, merchant: order.enterprises.ebcCode,
                orderJSON: normalized.canonicalBody ? body : NormalizedOrderJSON.encode(order), receivedAt: Date()
            ))
            switch outcome {
            case .queued, .alreadyQueued:
                if outcome == .queued { preparer.wake() }
                let json: JSONOut = [
                    "orderNo": .string(order.orderNo),
                    "accepted": .bool(outcome == .queued),
                    "state": .string(QueuedOrderState.waiting.rawValue),
                    "href": .string("/v1/orders/\(order.orderNo)"),
                ]
                return Answer(status: 202, body: Data(json.serialized.utf8))
            case .otherMerchant:
                throw Self.numberTaken(order.orderNo)
            case .alreadyFiled:
                break  // answered below as any repeated order: 200 with its filings
            }
        }
        if let owner = try await store.orderMerchant(orderNo: order.orderNo), owner != order.enterprises.ebcCode {
            throw Self.numberTaken(order.orderNo)
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

    static func numberTaken(_ orderNo: String) -> APIError {
        APIError(.conflict, code: "order-number-taken", message: "order number \(orderNo) belongs to another merchant", field: "/orderNo")
    }

    /// One order from the request body; a body listing several orders is refused
    /// (one order per request, so one answer per key).
    func normalize(_ body: Data) throws -> NormalizedOrder {
        try normalizeOne(body).order
    }

    /// The order, and whether the body itself is that order as normalized
    /// order JSON (one object, read by `NormalizedOrderJSON`), so it can be
    /// queued as sent instead of encoded again.
    func normalizeOne(_ body: Data) throws -> (order: NormalizedOrder, canonicalBody: Bool) {
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
        let isObject = if case .object = value { true } else { false }
        return (try document.result.get(), isObject && normalizer is NormalizedOrderJSONNormalizer)
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
