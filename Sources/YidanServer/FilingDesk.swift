import Foundation
import YidanCore
import YidanStore

/// What the broker API does apart from HTTP: filings narrowed to the key's
/// merchants, retries, and the JSON a filing is shown as.
struct FilingDesk: Sendable {
    let store: any BrokerStore & AccessStore
    /// Filings without a final status after this long are stuck.
    let deadline: Duration

    /// `GET /v1/filings`: the query parameters as a `FilingQuery`, narrowed to the key's merchants.
    func query(from parameters: [String: String], for principal: Principal) throws -> FilingQuery {
        var query = FilingQuery()
        query.statuses = try Self.set(parameters["status"], field: "status") { FilingStatus(rawValue: $0) }
        query.authorities = try Self.set(parameters["authority"], field: "authority") { Authority(rawValue: $0) }
        query.kinds = try Self.set(parameters["kind"], field: "kind") { MessageKind(rawValue: $0.uppercased()) }
        query.merchants = try Self.set(parameters["merchant"], field: "merchant") { $0 }
        query.orderNo = parameters["orderNo"]
        query.createdFrom = try parameters["from"].map { try Self.time($0, field: "from") }
        query.createdTo = try parameters["to"].map { try Self.time($0, field: "to") }
        if let limit = parameters["limit"] {
            guard let value = Int(limit), value >= 1 else { throw APIError.badRequest("limit must be a positive whole number", field: "limit") }
            query.limit = value
        }
        if let after = parameters["after"] {
            guard let cursor = FilingCursor(after) else { throw APIError.badRequest("after is not a cursor this server gave", field: "after") }
            query.after = cursor
        }
        // A broker sees only its merchants: asking for others narrows to nothing they may see.
        if let scope = principal.merchantScope {
            query.merchants = query.merchants.map { $0.intersection(scope) } ?? scope
            if query.merchants?.isEmpty == true { query.merchants = ["\u{0}no-merchant"] }
        }
        return query
    }

    func page(_ query: FilingQuery, now: Date) async throws -> JSONOut {
        let page = try await store.filings(matching: query)
        let stuckBefore = now.addingTimeInterval(-deadline.seconds)
        return [
            "filings": .array(page.filings.map { Self.json($0, stuckBefore: stuckBefore) }),
            "next": .optional(page.next?.description),
        ]
    }

    /// `POST /v1/filings/{id}/retry`, for a key that may see the filing's merchant.
    func retry(filingID: String, by principal: Principal, now: Date) async throws -> JSONOut {
        guard let filing = try await store.filing(id: filingID) else { throw APIError.notFound("no filing \(filingID)") }
        guard principal.mayAccess(merchant: try await store.orderMerchant(orderNo: filing.orderNo)) else {
            throw APIError.forbidden("this key may not act on filing \(filingID)")
        }
        do {
            let moved = try await store.retry(filingID: filingID, at: now)
            return ["id": .string(moved.id), "orderNo": .string(moved.orderNo), "kind": .string(moved.kind.rawValue), "status": .string(moved.status.rawValue)]
        } catch let error as YidanError where error.code == .notEligible {
            throw APIError(.conflict, code: "not-retryable", message: error.message)
        }
    }

    static func json(_ filing: FilingOverview, stuckBefore: Date) -> JSONOut {
        [
            "id": .string(filing.id),
            "orderNo": .string(filing.orderNo),
            "merchant": .optional(filing.merchant),
            "kind": .string(filing.kind.rawValue),
            "label": .string(filing.kind.label),
            "authority": .string(filing.authority.rawValue),
            "status": .string(filing.status.rawValue),
            "final": .bool(filing.isFinal),
            "stuck": .bool(filing.isStuck(deadline: stuckBefore)),
            "purpose": .string(filing.purpose.rawValue),
            "attempts": .int(filing.attempts),
            "lastReturnStatus": .optional(filing.lastReturnStatus),
            "lastReturnInfo": .optional(filing.lastReturnInfo),
            "lastError": .optional(filing.lastError),
            "createdAt": .time(filing.createdAt),
            "updatedAt": .time(filing.updatedAt),
        ]
    }

    /// Counts per authority × status, for the dashboard and /metrics.
    func counts() async throws -> JSONOut {
        let counts = try await store.statusCountsByAuthority()
        var out: [String: JSONOut] = [:]
        for authority in Authority.allCases {
            var row: [String: JSONOut] = [:]
            for (status, count) in counts[authority] ?? [:] where count > 0 { row[status.rawValue] = .int(count) }
            out[authority.rawValue] = .object(row)
        }
        return .object(out)
    }

    /// `a,b,c` → the set of parsed values; an unknown value is 400 naming the parameter.
    static func set<Value: Hashable>(_ text: String?, field: String, _ parse: (String) -> Value?) throws -> Set<Value>? {
        guard let text, !text.isEmpty else { return nil }
        var values = Set<Value>()
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard let value = parse(item) else { throw APIError.badRequest("\(field): unknown value \"\(item)\"", field: field) }
            values.insert(value)
        }
        return values
    }

    /// An ISO 8601 time with its zone (`2026-11-29T08:00:00+08:00`).
    static func time(_ text: String, field: String) throws -> Date {
        guard let time = ZonedDateTime(iso8601: text) else {
            throw APIError.badRequest("\(field) must be an ISO 8601 time with a zone, e.g. 2026-11-29T08:00:00+08:00", field: field)
        }
        return time.instant
    }
}

extension Duration {
    /// Whole and fractional seconds, for date arithmetic.
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
