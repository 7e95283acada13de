import Foundation
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The `FilingStore` contract for the outbox, against every backend.
@Suite("FilingStore conformance: the outbox")
struct OutboxConformanceTests {
    let t0 = Fixture.t0

    @Test("claimDue takes due filings oldest first up to the limit, leases them, and re-claims a run-out lease", arguments: StoreBackend.all)
    func claimAndLease(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            for n in 1...3 {
                _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], at: t0 + Double(n * 10)))
            }
            #expect(try await store.claimDue(now: t0 + 5, limit: 10, lease: .seconds(30)).isEmpty)
            #expect(try await store.nextDueTime() == t0 + 10)
            let first = try await store.claimDue(now: t0 + 25, limit: 1, lease: .milliseconds(30_500))
            #expect(first.map(\.orderNo) == ["ORDER-1"])
            #expect(first.first?.status == .sending && first.first?.leaseUntil == t0 + 55.5 && first.first?.attempts == 0)
            #expect(try await store.claimDue(now: t0 + 25, limit: 10, lease: .seconds(60)).map(\.orderNo) == ["ORDER-2"])
            #expect(try await store.claimDue(now: t0 + 25, limit: 0, lease: .seconds(30)).isEmpty)
            #expect(try await store.statusCounts() == [.sending: 2, .queued: 1])
            #expect(try await store.nextDueTime() == t0 + 30)

            // The worker holding ORDER-1 died: at the end of its lease another takes it.
            let rescued = try await store.claimDue(now: t0 + 55.5, limit: 10, lease: .seconds(30))
            #expect(rescued.map(\.orderNo) == ["ORDER-1", "ORDER-3"])
            #expect(rescued.first?.leaseUntil == t0 + 85.5)
            #expect(try await store.claimDue(now: t0 + 56, limit: 10, lease: .seconds(30)).isEmpty)
        }
    }

    @Test("completeAttempt: delivered, retry and dead set status, times and error; the attempt is kept", arguments: StoreBackend.all)
    func completeAttempts(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb411, .ceb511]))
            let ids = try await store.claimDue(now: t0, limit: 3, lease: .seconds(30)).map(\.id)
            #expect(ids.count == 3)
            try await store.completeAttempt(Fixture.attempt(ids[0]), outcome: .delivered, now: t0 + 1)
            try await store.completeAttempt(Fixture.attempt(ids[1], http: 503, error: "503"), outcome: .retry(at: t0 + 40, error: "503"), now: t0 + 1)
            try await store.completeAttempt(Fixture.attempt(ids[2], http: nil, error: "refused"), outcome: .dead(error: "refused"), now: t0 + 2)

            let delivered = try #require(try await store.filing(id: ids[0]))
            #expect(delivered.status == .delivered && delivered.attempts == 1 && delivered.leaseUntil == nil && delivered.updatedAt == t0 + 1)
            let retry = try #require(try await store.filing(id: ids[1]))
            #expect(retry.status == .queued && retry.nextAttemptAt == t0 + 40 && retry.lastError == "503" && retry.leaseUntil == nil)
            let dead = try #require(try await store.filing(id: ids[2]))
            #expect(dead.status == .dead && dead.lastError == "refused" && dead.nextAttemptAt == nil)
            #expect(try await store.attempts(filingID: ids[1]) == [Fixture.attempt(ids[1], http: 503, error: "503")])
            #expect(try await store.nextDueTime() == t0 + 40)
            #expect(try await store.claimDue(now: t0 + 39, limit: 10, lease: .seconds(30)).isEmpty)
            #expect(try await store.claimDue(now: t0 + 40, limit: 10, lease: .seconds(30)).map(\.id) == [ids[1]])
            #expect(await errorCode {
                try await store.completeAttempt(Fixture.attempt("NO-SUCH-FILING"), outcome: .delivered, now: t0)
            } == .notFound)
            #expect(try await store.filings(status: .dead, limit: 10).map(\.id) == [ids[2]])
            #expect(try await store.filings(status: nil, limit: 2).count == 2)
        }
    }

    @Test("a receipt that overtakes the HTTP response keeps its status; the attempt still counts", arguments: StoreBackend.all)
    func receiptBeforeResponse(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
            let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id
            _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "120")) { _ in .stored }
            try await store.completeAttempt(Fixture.attempt(id), outcome: .retry(at: t0 + 9, error: "timeout"), now: t0 + 2)
            let filing = try #require(try await store.filing(id: id))
            #expect(filing.status == .stored && filing.attempts == 1 && filing.leaseUntil == nil && filing.nextAttemptAt == nil)
            #expect(try await store.nextDueTime() == nil)
        }
    }

    @Test("an inventory waits until its order, payment and waybill have left the outbox", arguments: StoreBackend.all)
    func prerequisites(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb621, .ceb311, .ceb411]))
            let first = try await store.claimDue(now: t0, limit: 10, lease: .seconds(30))
            #expect(Set(first.map(\.kind)) == [.ceb311, .ceb411])
            try await store.completeAttempt(Fixture.attempt(first[0].id), outcome: .delivered, now: t0)
            #expect(try await store.claimDue(now: t0 + 1, limit: 10, lease: .seconds(30)).isEmpty)
            try await store.completeAttempt(Fixture.attempt(first[1].id), outcome: .delivered, now: t0)
            #expect(try await store.nextDueTime() == t0)
            #expect(try await store.claimDue(now: t0 + 1, limit: 10, lease: .seconds(30)).map(\.kind) == [.ceb621])
        }
    }

    @Test("claimDue(limits:) takes per authority and none of an authority left out; nextDueTime(authorities:)", arguments: StoreBackend.all)
    func authorityClaims(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb411, .ceb511, .fxPayment], at: t0))
            _ = try await store.accept(Fixture.submission("ORDER-2", kinds: [.ceb311], at: t0 + 1))
            // FX-PAYMENT is held by its CEB411; no tax filings at all.
            #expect(try await store.nextDueTime(authorities: [.fx]) == nil)
            #expect(try await store.nextDueTime(authorities: [.tax]) == nil)
            #expect(try await store.nextDueTime(authorities: [.customs, .tax]) == t0)
            #expect(try await store.claimDue(now: t0 + 1, limits: [.customs: 0], lease: .seconds(30)).isEmpty)
            let customs = try await store.claimDue(now: t0 + 1, limits: [.customs: 2, .tax: 5], lease: .seconds(30))
            #expect(customs.count == 2 && customs.allSatisfy { $0.kind.authority == .customs })
            // FX-PAYMENT waits for its CEB411.
            let rest = try await store.claimDue(now: t0 + 1, limits: [.fx: 5, .customs: 5], lease: .seconds(30))
            #expect(rest.count == 2 && rest.allSatisfy { $0.kind.authority == .customs })
        }
    }

    @Test("two store handles (two workers) claiming at once never take the same filing", arguments: StoreBackend.all)
    func concurrentClaims(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            for n in 1...24 {
                _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311, .ceb411], buyer: "b\(n)"))
            }
            let other = try await scope.open()
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for handle in [store, other, store, other] {
                    group.addTask {
                        var ids: [String] = []
                        while true {
                            let batch = try await handle.claimDue(now: Fixture.t0, limit: 3, lease: .seconds(30))
                            if batch.isEmpty { return ids }
                            ids += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 48)
            #expect(Set(claimed).count == 48)
            try await closeIfPostgres(other)
        }
    }
}

/// A second handle opened in a test: PostgreSQL's pool is closed, SQLite's closes on release.
func closeIfPostgres(_ store: any FilingStore) async throws {
    (store as? PostgresFilingStore)?.close()
}
