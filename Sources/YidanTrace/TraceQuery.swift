public import Foundation
import GRDB
import YidanCore

/// EPCIS-style query filters; all given filters must hold.
public struct TraceQuery: Sendable, Equatable {
    /// CBV term in any spelling (`shipping`, `urn:epcglobal:cbv:bizstep:shipping`) or a private URI.
    public var bizStep: String?
    /// An EPC or class (URN or Digital Link); a trailing `*` matches any identifier starting so.
    public var epc: String?
    public var from: Date?
    public var to: Date?
    /// readPoint or bizLocation id.
    public var location: String?
    public var bizTransaction: String?
    public var limit: Int

    public init(bizStep: String? = nil, epc: String? = nil, from: Date? = nil, to: Date? = nil, location: String? = nil, bizTransaction: String? = nil, limit: Int = 1000) {
        self.bizStep = bizStep
        self.epc = epc
        self.from = from
        self.to = to
        self.location = location
        self.bizTransaction = bizTransaction
        self.limit = limit
    }
}

extension TraceStore {
    /// Events matching the filters, oldest first.
    public func events(matching query: TraceQuery) async throws -> [StoredEvent] {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let bizStep = query.bizStep {
            conditions.append("e.biz_step = ?")
            arguments.append((CBVTerm.bare(bizStep, kind: .bizStep) ?? bizStep).databaseValue)
        }
        if let epc = query.epc {
            if epc.hasSuffix("*") {
                let prefix = String(epc.dropLast())
                let canonicalPrefix = GS1Identifier.canonicalDigitalLink(prefix + "0")?.dropLast() ?? Substring(prefix)
                conditions.append("e.seq IN (SELECT seq FROM trace_keys WHERE kind = 'epc' AND (key >= ? AND key < ?))")
                arguments += [String(canonicalPrefix).databaseValue, (String(canonicalPrefix) + "\u{10FFFF}").databaseValue]
            } else {
                conditions.append("e.seq IN (SELECT seq FROM trace_keys WHERE kind = 'epc' AND key = ?)")
                arguments.append(TraceKey.chainProduct(epc).databaseValue)
            }
        }
        if let from = query.from {
            conditions.append("e.event_time >= ?")
            arguments.append(from.timeIntervalSince1970.databaseValue)
        }
        if let to = query.to {
            conditions.append("e.event_time <= ?")
            arguments.append(to.timeIntervalSince1970.databaseValue)
        }
        if let location = query.location {
            conditions.append("(e.read_point = ? OR e.biz_location = ?)")
            arguments += [location.databaseValue, location.databaseValue]
        }
        if let transaction = query.bizTransaction {
            conditions.append("e.seq IN (SELECT seq FROM trace_keys WHERE key = ? AND kind IN ('bt', 'order', 'waybill', 'inventory'))")
            arguments.append(transaction.databaseValue)
        }
        let sql = "SELECT e.* FROM trace_events e" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY e.event_time, e.seq LIMIT \(max(1, query.limit))"
        let statementArguments = StatementArguments(arguments)
        return try await read("querying events") { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(StoredEvent.init(row:))
        }
    }

    /// A consumer's trace: every event filed under the ID's keys, plus, for an
    /// order or waybill, the events of the products it names (their production
    /// before the sale). Oldest first.
    public func trace(_ id: TraceID) async throws -> [StoredEvent] {
        let keys = id.keys
        return try await read("tracing") { db in
            var seqs = Set<Int64>()
            for key in keys {
                seqs.formUnion(try Int64.fetchAll(db, sql: "SELECT seq FROM trace_keys WHERE key = ? AND kind = ?", arguments: [key.value, key.kind]))
            }
            if case .text = id, !seqs.isEmpty {
                // One hop to the products' own history (production, packing…):
                // events under the same GTIN or SKU that belong to no order, so
                // another buyer's order never shows in this one's trace.
                let found = seqs.map(String.init).joined(separator: ",")
                seqs.formUnion(try Int64.fetchAll(db, sql: """
                    SELECT DISTINCT k2.seq FROM trace_keys k1
                    JOIN trace_keys k2 ON k2.key = k1.key AND k2.kind = k1.kind
                    WHERE k1.seq IN (\(found)) AND k1.kind IN ('gtin', 'sku')
                      AND NOT EXISTS (SELECT 1 FROM trace_keys o WHERE o.seq = k2.seq AND o.kind = 'order')
                    """))
            }
            guard !seqs.isEmpty else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT * FROM trace_events WHERE seq IN (\(seqs.sorted().map(String.init).joined(separator: ","))) ORDER BY event_time, seq
                """).map(StoredEvent.init(row:))
        }
    }

    /// Whether an event with this bizStep is already filed under the order.
    public func hasEvent(bizStep: String, orderNo: String) async throws -> Bool {
        let step = CBVTerm.bare(bizStep, kind: .bizStep) ?? bizStep
        return try await read("looking up an order's events") { db in
            try Bool.fetchOne(db, sql: """
                SELECT 1 FROM trace_keys k JOIN trace_events e ON e.seq = k.seq
                WHERE k.key = ? AND k.kind = 'order' AND e.biz_step = ? LIMIT 1
                """, arguments: [orderNo, step]) ?? false
        }
    }

    public func eventCount() async throws -> Int {
        try await read("counting events") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trace_events") ?? 0 }
    }

    func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.store, what + " in the trace store", cause: error)
        }
    }
}
