import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: an inventory waits for its order, payment and waybill")
struct PrerequisiteTests {
    let t0 = Fixture.t0

    @Test("CEB621 is not claimed (nor reported due) while a CEB311/411/511 of its order is still in the outbox")
    func inventoryWaitsForTheOtherThree() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb621, .ceb311, .ceb411, .ceb511], at: t0))
        _ = try await store.accept(Fixture.submission("ORDER-2", kinds: [.ceb621], at: t0))

        // ORDER-2 has no siblings, so its inventory is free to go; ORDER-1's waits.
        let first = try await store.claimDue(now: t0 + 1, limit: 10, lease: .seconds(30))
        #expect(Set(first.map { "\($0.orderNo) \($0.kind.rawValue)" }) == ["ORDER-1 CEB311", "ORDER-1 CEB411", "ORDER-1 CEB511", "ORDER-2 CEB621"])
        #expect(try await store.nextDueTime() == t0 + 31)  // only the leases; the held 621 is not due

        // Two delivered, one to be retried: still held.
        let byKind = Dictionary(uniqueKeysWithValues: first.map { ($0.kind, $0) })
        for kind in [MessageKind.ceb311, .ceb411] {
            let id = try #require(byKind[kind]?.id)
            try await store.completeAttempt(AttemptRecord(filingID: id, number: 1, startedAt: t0 + 1, httpStatus: 200, latencyMilliseconds: 5, error: nil), outcome: .delivered, now: t0 + 2)
        }
        let waybill = try #require(byKind[.ceb511]?.id)
        try await store.completeAttempt(AttemptRecord(filingID: waybill, number: 1, startedAt: t0 + 1, httpStatus: 503, latencyMilliseconds: 5, error: "HTTP 503"), outcome: .retry(at: t0 + 10, error: "HTTP 503"), now: t0 + 2)
        #expect(try await store.claimDue(now: t0 + 5, limit: 10, lease: .seconds(30)).isEmpty)

        // The waybill goes out; once delivered, the inventory follows.
        let retried = try await store.claimDue(now: t0 + 10, limit: 10, lease: .seconds(30))
        #expect(retried.map(\.kind) == [.ceb511])
        try await store.completeAttempt(AttemptRecord(filingID: waybill, number: 2, startedAt: t0 + 10, httpStatus: 200, latencyMilliseconds: 5, error: nil), outcome: .delivered, now: t0 + 11)
        let inventory = try await store.claimDue(now: t0 + 11, limit: 10, lease: .seconds(30))
        #expect(inventory.map { "\($0.orderNo) \($0.kind.rawValue)" } == ["ORDER-1 CEB621"])
    }
}
