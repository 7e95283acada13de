import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: the outbox")
struct OutboxTests {
    let t0 = Fixture.t0

    @Test("claimDue takes only due filings, oldest first, up to the limit")
    func claimRespectsTimeAndLimit() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        for n in 1...3 {
            _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], at: t0 + Double(n * 10)))
        }
        #expect(try await store.claimDue(now: t0 + 5, limit: 10, lease: .seconds(30)).isEmpty)

        let first = try await store.claimDue(now: t0 + 25, limit: 1, lease: .seconds(30))
        #expect(first.map(\.orderNo) == ["ORDER-1"])
        #expect(first.first?.status == .sending)
        #expect(first.first?.leaseUntil == t0 + 55)
        #expect(first.first?.attempts == 0)

        let second = try await store.claimDue(now: t0 + 25, limit: 10, lease: .seconds(30))
        #expect(second.map(\.orderNo) == ["ORDER-2"])
        #expect(try await store.statusCounts() == [.sending: 2, .queued: 1])
        #expect(try await store.claimDue(now: t0 + 25, limit: 0, lease: .seconds(30)).isEmpty)
        #expect(try await store.filing(id: first[0].id)?.status == .sending)
    }

    @Test("a claimed filing is not claimed again while its lease runs, and is re-claimed once it ran out")
    func leases() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))

        let claimed = try await store.claimDue(now: t0, limit: 10, lease: .milliseconds(30_500))
        #expect(claimed.count == 1)
        #expect(claimed.first?.leaseUntil == t0 + 30.5)
        #expect(try await store.nextDueTime() == t0 + 30.5)

        #expect(try await store.claimDue(now: t0 + 10, limit: 10, lease: .seconds(30)).isEmpty)
        #expect(try await store.claimDue(now: t0 + 30, limit: 10, lease: .seconds(30)).isEmpty)

        // The dispatcher that held it crashed: at the end of the lease another takes over.
        let reclaimed = try await store.claimDue(now: t0 + 30.5, limit: 10, lease: .seconds(30))
        #expect(reclaimed.map(\.id) == claimed.map(\.id))
        #expect(reclaimed.first?.leaseUntil == t0 + 60.5)
        #expect(try await store.claimDue(now: t0 + 31, limit: 10, lease: .seconds(30)).isEmpty)
    }

    @Test("queued filings and expired leases are taken together in due order, the limit spanning both")
    func queuedAndExpiredMerge() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        // ORDER-1 (due t0+10) is claimed and its dispatcher dies; ORDER-2 and ORDER-3 wait, due later.
        for n in 1...3 {
            _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], at: t0 + Double(n * 10)))
        }
        let lost = try await store.claimDue(now: t0 + 10, limit: 1, lease: .seconds(5))
        #expect(lost.map(\.orderNo) == ["ORDER-1"])

        // At t0+40 the lease has run out: ORDER-1 comes first (due earliest), then ORDER-2; the limit stops there.
        let taken = try await store.claimDue(now: t0 + 40, limit: 2, lease: .seconds(30))
        #expect(taken.map(\.orderNo) == ["ORDER-1", "ORDER-2"])
        let rest = try await store.claimDue(now: t0 + 40, limit: 2, lease: .seconds(30))
        #expect(rest.map(\.orderNo) == ["ORDER-3"])
        // Per authority, the same merge.
        let folder2 = try TemporaryStoreFolder()
        let other = try folder2.open()
        for n in 1...3 {
            _ = try await other.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], at: t0 + Double(n * 10)))
        }
        _ = try await other.claimDue(now: t0 + 10, limit: 1, lease: .seconds(5))
        let byAuthority = try await other.claimDue(now: t0 + 40, limits: [.customs: 2], lease: .seconds(30))
        #expect(byAuthority.map(\.orderNo) == ["ORDER-1", "ORDER-2"])
    }

    @Test("delivered: status delivered, lease and error cleared, attempt kept")
    func completeDelivered() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id

        try await store.completeAttempt(Fixture.attempt(id, at: t0), outcome: .delivered, now: t0 + 1)

        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .delivered)
        #expect(filing.attempts == 1)
        #expect(filing.leaseUntil == nil)
        #expect(filing.nextAttemptAt == nil)
        #expect(filing.lastError == nil)
        #expect(filing.updatedAt == t0 + 1)
        #expect(try await store.attempts(filingID: id) == [Fixture.attempt(id, at: t0)])
        #expect(try await store.nextDueTime() == nil)
        #expect(try await store.claimDue(now: t0 + 1000, limit: 10, lease: .seconds(30)).isEmpty)
    }

    @Test("retry: back to queued, due at the given time with the error; then delivered clears the error")
    func completeRetryThenDelivered() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id

        let failed = Fixture.attempt(id, number: 1, at: t0, http: 503, error: "HTTP 503")
        try await store.completeAttempt(failed, outcome: .retry(at: t0 + 4, error: "HTTP 503"), now: t0 + 1)

        var filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .queued)
        #expect(filing.nextAttemptAt == t0 + 4)
        #expect(filing.leaseUntil == nil)
        #expect(filing.lastError == "HTTP 503")
        #expect(filing.attempts == 1)
        #expect(try await store.nextDueTime() == t0 + 4)
        #expect(try await store.claimDue(now: t0 + 3, limit: 10, lease: .seconds(30)).isEmpty)

        let again = try await store.claimDue(now: t0 + 4, limit: 10, lease: .seconds(30))
        #expect(again.map(\.id) == [id])
        let delivered = Fixture.attempt(id, number: 2, at: t0 + 4)
        try await store.completeAttempt(delivered, outcome: .delivered, now: t0 + 5)

        filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .delivered)
        #expect(filing.attempts == 2)
        #expect(filing.lastError == nil)
        #expect(try await store.attempts(filingID: id) == [failed, delivered])
    }

    @Test("dead: status dead with the error, never claimed again")
    func completeDead() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id

        let attempt = Fixture.attempt(id, at: t0, http: 400, error: "HTTP 400 schema")
        try await store.completeAttempt(attempt, outcome: .dead(error: "HTTP 400 schema"), now: t0 + 1)

        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .dead)
        #expect(filing.lastError == "HTTP 400 schema")
        #expect(filing.leaseUntil == nil)
        #expect(filing.attempts == 1)
        #expect(try await store.claimDue(now: t0 + 10_000, limit: 10, lease: .seconds(30)).isEmpty)
        #expect(try await store.statusCounts() == [.dead: 1])
    }

    @Test("a receipt that overtook the HTTP response keeps its status; the attempt is still counted")
    func completeAfterReceiptAdvanced() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id

        let effect = try await store.applyReceipt(Fixture.receipt(for: id, at: t0 + 1)) { _ in .declaring }
        #expect(effect == .advanced(filingID: id, from: .sending, to: .declaring))
        try await store.completeAttempt(Fixture.attempt(id, at: t0), outcome: .retry(at: t0 + 5, error: "timeout"), now: t0 + 2)

        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .declaring)
        #expect(filing.attempts == 1)
        #expect(filing.lastError == nil)
        #expect(filing.leaseUntil == nil)
        #expect(try await store.attempts(filingID: id).count == 1)
        #expect(try await store.claimDue(now: t0 + 100, limit: 10, lease: .seconds(30)).isEmpty)
    }

    @Test("an attempt for an unknown filing is a not-found error")
    func completeUnknown() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let error = await #expect(throws: YidanError.self) {
            try await store.completeAttempt(Fixture.attempt(Fixture.guid("none")), outcome: .delivered, now: Fixture.t0)
        }
        #expect(error?.code == .notFound)
    }
}
