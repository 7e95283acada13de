import Foundation
import Synchronization
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: receipts")
struct ReceiptTests {
    let t0 = Fixture.t0

    /// One delivered CEB311 filing.
    func deliveredFiling(_ store: SQLiteFilingStore) async throws -> String {
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id
        try await store.completeAttempt(Fixture.attempt(id, at: t0), outcome: .delivered, now: t0)
        return id
    }

    @Test("a matched receipt moves the filing and is kept as moved; decide sees the stored filing")
    func matchedAdvances() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await deliveredFiling(store)

        let seen = SeenStatus()
        let effect = try await store.applyReceipt(Fixture.receipt(for: id, status: "2", info: "申报中", at: t0 + 10)) { filing in
            seen.record(filing.status)
            return FilingLifecycle.onReceipt(current: filing.status, kind: filing.kind, reported: .declaring)
        }
        #expect(effect == .advanced(filingID: id, from: .delivered, to: .declaring))
        #expect(seen.statuses == [.delivered])

        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .declaring)
        #expect(filing.lastReturnStatus == "2")
        #expect(filing.lastReturnInfo == "申报中")
        #expect(filing.updatedAt == t0 + 10)

        let receipts = try await store.receipts(filingID: id)
        #expect(receipts.count == 1)
        #expect(receipts.first?.filingID == id)
        #expect(receipts.first?.moved == true)
        #expect(receipts.first?.kind == .ceb312)
        #expect(receipts.first?.returnInfo == "申报中")
        #expect(receipts.first?.receivedAt == t0 + 10)
        #expect(receipts.first?.channel == "http")
    }

    @Test("a receipt decide ignores is kept in history only and leaves last_return alone")
    func decideNil() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await deliveredFiling(store)
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "120", info: "入库", at: t0 + 10)) { _ in .stored }

        // A late "2" after 120: the lifecycle refuses to move back.
        let late = try await store.applyReceipt(Fixture.receipt(for: id, status: "2", info: "申报中", at: t0 + 20)) { filing in
            FilingLifecycle.onReceipt(current: filing.status, kind: filing.kind, reported: .declaring)
        }
        #expect(late == .recordedOnly(filingID: id, status: .stored))

        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .stored)
        #expect(filing.lastReturnStatus == "120")
        #expect(filing.updatedAt == t0 + 10)
        #expect(try await store.receipts(filingID: id).map(\.moved) == [true, false])
    }

    @Test("a duplicate receipt agreeing with the status is recorded only but refreshes last_return")
    func sameStatus() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await deliveredFiling(store)
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "120", info: "first", at: t0 + 10)) { _ in .stored }
        let effect = try await store.applyReceipt(Fixture.receipt(for: id, status: "120", info: "again", at: t0 + 20)) { _ in .stored }
        #expect(effect == .recordedOnly(filingID: id, status: .stored))
        let filing = try #require(try await store.filing(id: id))
        #expect(filing.lastReturnInfo == "again")
        #expect(try await store.receipts(filingID: id).map(\.returnInfo) == ["first", "again"])
    }

    @Test("a receipt naming no filing is kept as unmatched; decide is not asked")
    func unmatched() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await deliveredFiling(store)
        let stranger = Fixture.guid("stranger")

        let seen = SeenStatus()
        for n in 1...2 {
            let effect = try await store.applyReceipt(Fixture.receipt(for: stranger, info: "r\(n)", at: t0 + Double(n))) { filing in
                seen.record(filing.status)
                return .stored
            }
            #expect(effect == .unmatched)
        }
        #expect(seen.statuses.isEmpty)
        let unmatched = try await store.unmatchedReceipts(limit: 10)
        #expect(unmatched.map(\.returnInfo) == ["r2", "r1"])
        #expect(unmatched.allSatisfy { $0.filingID == nil && !$0.moved })
        #expect(try await store.unmatchedReceipts(limit: 1).count == 1)
        #expect(try await store.receipts(filingID: stranger).isEmpty)
    }

    @Test("a receipt naming the guid in lower case still matches")
    func caseInsensitiveGuid() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await deliveredFiling(store)
        let effect = try await store.applyReceipt(Fixture.receipt(for: " \(id.lowercased())\n")) { _ in .declaring }
        #expect(effect == .advanced(filingID: id, from: .delivered, to: .declaring))
    }

    @Test("a receipt reaching a queued filing (retry pending) takes it out of the outbox")
    func receiptEndsRetries() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id
        try await store.completeAttempt(Fixture.attempt(id, error: "timeout"), outcome: .retry(at: t0 + 8, error: "timeout"), now: t0 + 1)

        _ = try await store.applyReceipt(Fixture.receipt(for: id, at: t0 + 2)) { _ in .declaring }
        let filing = try #require(try await store.filing(id: id))
        #expect(filing.status == .declaring)
        #expect(filing.nextAttemptAt == nil)
        #expect(try await store.nextDueTime() == nil)
        #expect(try await store.claimDue(now: t0 + 100, limit: 10, lease: .seconds(30)).isEmpty)
    }
}

/// Collects what `decide` saw (it is `@Sendable`, so it cannot capture a var).
final class SeenStatus: Sendable {
    private let seen = Mutex<[FilingStatus]>([])

    func record(_ status: FilingStatus) { seen.withLock { $0.append(status) } }
    var statuses: [FilingStatus] { seen.withLock { $0 } }
}
