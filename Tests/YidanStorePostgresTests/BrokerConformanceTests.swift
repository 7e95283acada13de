import Foundation
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The `BrokerStore` contract (the broker's desk), against every backend.
@Suite("BrokerStore conformance")
struct BrokerConformanceTests {
    let t0 = Fixture.t0

    static func broker(_ store: any FilingStore) throws -> any BrokerStore {
        try #require(store as? any BrokerStore, "\(type(of: store)) is not a BrokerStore")
    }

    /// ORDER-n of merchant M1 (odd n) or M2 (even n), created at t0 + n.
    func acceptOrders(_ store: any FilingStore, count: Int) async throws {
        for n in 1...count {
            var submission = Fixture.submission("ORDER-\(n)", kinds: [.ceb311, .taxImport], buyer: "b\(n)", at: t0 + Double(n))
            submission.merchant = n.isMultiple(of: 2) ? "M2" : "M1"
            submission.agent = "AGENT"
            _ = try await store.accept(submission)
        }
    }

    @Test("pages run newest first with a cursor, filtered by merchant, authority, status, order and time", arguments: StoreBackend.all)
    func pages(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let broker = try Self.broker(store)
            try await acceptOrders(store, count: 5)
            var seen: [String] = []
            var query = FilingQuery(merchants: ["M1"], limit: 4)
            while true {
                let page = try await broker.filings(matching: query)
                seen += page.filings.map(\.orderNo)
                #expect(page.filings.allSatisfy { $0.merchant == "M1" && $0.agent == "AGENT" })
                guard let next = page.next else { break }
                query.after = next
            }
            #expect(seen == ["ORDER-5", "ORDER-5", "ORDER-3", "ORDER-3", "ORDER-1", "ORDER-1"])
            let tax = try await broker.filings(matching: FilingQuery(authorities: [.tax], createdFrom: t0 + 2, createdTo: t0 + 4))
            #expect(tax.filings.map(\.orderNo) == ["ORDER-3", "ORDER-2"] && tax.filings.allSatisfy { $0.kind == .taxImport })
            #expect(try await broker.filings(matching: FilingQuery(statuses: [.dead])).filings.isEmpty)
            #expect(try await broker.filings(matching: FilingQuery(authorities: [.fx], kinds: [.ceb311])).filings.isEmpty)
            #expect(try await broker.filings(matching: FilingQuery(orderNo: "ORDER-4")).filings.count == 2)
            #expect(try await broker.orderMerchant(orderNo: "ORDER-4") == "M2")
            #expect(try await broker.orderMerchant(orderNo: "NONE") == nil)
            #expect(try await broker.statusCountsByAuthority() == [.customs: [.queued: 5], .tax: [.queued: 5]])
            #expect(try await broker.stuckFilings(before: t0 + 2, limit: 10).map(\.orderNo) == ["ORDER-1", "ORDER-1"])
        }
    }

    @Test("retry: dead or transport-refused filings go back to the outbox; others are refused; every move is logged in order", arguments: StoreBackend.all)
    func retriesAndLog(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let broker = try Self.broker(store)
            #expect(try await broker.lastStatusChangeID() == 0)
            try await acceptOrders(store, count: 2)
            let claimed = try await store.claimDue(now: t0 + 5, limits: [.customs: 2], lease: .seconds(30))
            #expect(claimed.count == 2)
            let (dead, refused) = (claimed[0].id, claimed[1].id)
            try await store.completeAttempt(Fixture.attempt(dead), outcome: .dead(error: "gone"), now: t0 + 6)
            try await store.completeAttempt(Fixture.attempt(refused), outcome: .delivered, now: t0 + 6)
            _ = try await store.applyReceipt(Fixture.receipt(for: refused, status: "4", at: t0 + 7)) { _ in .rejected }

            #expect(await errorCode { _ = try await broker.retry(filingID: "NO-SUCH", at: t0) } == .notFound)
            let queued = try #require(try await store.filings(status: .queued, limit: 1).first)
            #expect(await errorCode { _ = try await broker.retry(filingID: queued.id, at: t0) } == .notEligible)
            let again = try await broker.retry(filingID: refused, at: t0 + 8)
            #expect(again.status == .queued && again.nextAttemptAt == t0 + 8 && again.attempts == 1)
            #expect(try await broker.retryAllDead(at: t0 + 9).map(\.id) == [dead])
            #expect(try await broker.retryAllDead(at: t0 + 9).isEmpty)

            let log = try await broker.statusChanges(after: 0, limit: 100)
            #expect(log.map(\.id) == log.map(\.id).sorted() && Set(log.map(\.id)).count == log.count)
            let moves = log.filter { $0.filingID == refused }.map { "\($0.from?.rawValue ?? "-")>\($0.to.rawValue):\($0.cause.rawValue)" }
            #expect(moves == ["->queued:stored", "queued>sending:claim", "sending>delivered:delivery", "delivered>rejected:receipt", "rejected>queued:retry"])
            #expect(log.first { $0.cause == .receipt }?.returnStatus == "4")
            #expect(log.allSatisfy { $0.merchant != nil })
            let last = try await broker.lastStatusChangeID()
            #expect(last == log.last?.id)
            #expect(try await broker.statusChanges(after: last, limit: 10).isEmpty)
            #expect(try await broker.statusChanges(after: 0, limit: 3).map(\.id) == Array(log.prefix(3).map(\.id)))
        }
    }
}
