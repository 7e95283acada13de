public import Foundation
import GRDB
public import YidanCore

/// The outbox seen per authority, for a dispatcher that holds one
/// authority's filings (its circuit breaker is open, its concurrency or rate
/// limit is reached) while the others keep flowing. Same rules as `claimDue`
/// and `nextDueTime`, with the rows narrowed to the authority's message kinds.
extension SQLiteFilingStore {
    public func claimDue(now: Date, limits: [Authority: Int], lease: Duration) async throws -> [FilingRecord] {
        let wanted = limits.filter { $0.value > 0 }
        guard !wanted.isEmpty else { return [] }
        let nowSeconds = StoreColumn.seconds(now)
        let leaseUntil = nowSeconds + StoreColumn.seconds(lease)
        return try await write("claiming due filings by authority") { db in
            var claimed: [FilingRecord] = []
            // A fixed order, so one authority's claim is not always taken last.
            for authority in Authority.allCases {
                guard let limit = wanted[authority] else { continue }
                let ids = try Self.dueFilingIDs(extraCondition: "kind IN (\(Self.kindList(authority)))", now: nowSeconds, limit: limit, db)
                claimed += try Self.take(ids, leaseUntil: leaseUntil, now: nowSeconds, db)
            }
            return claimed
        }
    }

    public func nextDueTime(authorities: Set<Authority>) async throws -> Date? {
        guard !authorities.isEmpty else { return nil }
        let kinds = Authority.allCases.filter(authorities.contains).map(Self.kindList).joined(separator: ", ")
        return try await nextDueTime(where: "kind IN (\(kinds))", "reading the next due time by authority")
    }

    /// `'CEB311', 'CEB411', …`: the authority's message kinds as an SQL list
    /// (raw values from the model, never user input).
    static func kindList(_ authority: Authority) -> String {
        MessageKind.allCases.filter { $0.authority == authority }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
