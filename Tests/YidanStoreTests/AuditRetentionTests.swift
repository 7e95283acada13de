import Foundation
import GRDB
import Testing
import YidanCore
@testable import YidanStore

@Suite("Audit trail and retention")
struct AuditRetentionTests {
    /// Accept, send and receive for one order with the given filings, all of them reaching `final`.
    static func fileToTheEnd(_ store: SQLiteFilingStore, _ orderNo: String, payloadBytes: Int = 64, at: Date) async throws {
        var submission = Fixture.submission(orderNo, kinds: [.ceb311, .ceb621], at: at)
        submission.filings = submission.filings.map { filing in
            var copy = filing
            copy.payload = Data(repeating: UInt8(ascii: "x"), count: payloadBytes) + filing.payload
            return copy
        }
        _ = try await store.accept(submission)
        for filing in submission.filings {
            let claimed = try await store.claimDue(now: at, limit: 10, lease: .seconds(60))
            #expect(!claimed.isEmpty)
            try await store.completeAttempt(
                Fixture.attempt(filing.id, at: at, http: 200), outcome: .delivered, now: at
            )
            let final: FilingStatus = filing.kind == .ceb621 ? .released : .stored
            let code = final == .released ? "800" : "120"
            _ = try await store.applyReceipt(Fixture.receipt(for: filing.id, status: code, at: at)) { _ in final }
        }
    }

    @Test("every accept, send and receipt is a chained entry; an edited entry is the first broken link")
    func chainAndTamper() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await Self.fileToTheEnd(store, "ORDER-A1", at: Fixture.t0)
        _ = try await store.applyReceipt(Fixture.receipt(for: Fixture.guid("nobody"), status: "2")) { _ in nil }

        let entries = try await store.auditEntries(after: 0, limit: 100)
        // 2 accepted + 2 sent + 2 received + 1 unmatched receipt.
        #expect(entries.map(\.event) == [.accepted, .accepted, .sent, .received, .sent, .received, .received])
        #expect(entries.map(\.sequence) == Array(1...7))
        #expect(AuditTrail.verify(entries).firstBroken == nil)
        #expect(entries[0].digest == Fixture.filing("ORDER-A1-CEB311", .ceb311).idempotencyKey)
        #expect(entries[3].digest == AuditEntry.digest(Fixture.receipt(for: "x").raw))
        #expect(entries.last?.orderNo == nil && entries.last?.detail.contains("unmatched") == true)
        #expect(try await store.auditEntries(orderNo: "ORDER-A1").count == 6)

        // Someone edits the fourth entry's digest in the database.
        try await store.pool.write { db in
            try db.execute(sql: "UPDATE audit_trail SET digest = ? WHERE seq = 4", arguments: [String(repeating: "a", count: 64)])
        }
        let edited = AuditTrail.verify(try await store.auditEntries(after: 0, limit: 100))
        #expect(edited.firstBroken?.sequence == 4)

        // A deleted entry is caught too.
        try await store.pool.write { db in try db.execute(sql: "DELETE FROM audit_trail WHERE seq = 2") }
        let deleted = AuditTrail.verify(try await store.auditEntries(after: 0, limit: 100))
        #expect(deleted.firstBroken?.sequence == 3)
    }

    @Test("prune removes the bytes of finished old orders only, keeps the audit trail whole, and shrinks the file")
    func prune() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let old = Fixture.t0
        let recent = Fixture.t0.addingTimeInterval(200 * 86_400)
        for index in 0..<40 {
            try await Self.fileToTheEnd(store, "OLD-\(index)", payloadBytes: 64 * 1024, at: old)
        }
        try await Self.fileToTheEnd(store, "RECENT-1", payloadBytes: 1024, at: recent)
        // An old order still waiting for customs is not pruned.
        _ = try await store.accept(Fixture.submission("OLD-OPEN", kinds: [.ceb311], at: old))

        let cutoff = recent.addingTimeInterval(-180 * 86_400)
        let report = try await store.prune(finishedBefore: cutoff, now: recent)
        #expect(report.orders == 40)
        #expect(report.filings == 80)
        #expect(report.receipts == 80)
        #expect(report.bytesAfter < report.bytesBefore / 2, "\(report.bytesBefore) → \(report.bytesAfter)")

        #expect(try await store.orderJSON(orderNo: "OLD-0") == nil)
        #expect(try await store.isPruned(orderNo: "OLD-0"))
        #expect(try await store.filings(orderNo: "OLD-0").allSatisfy { $0.payload.isEmpty && $0.status.isTerminal(for: $0.kind) })
        #expect(try await store.orderJSON(orderNo: "RECENT-1") != nil)
        #expect(try await store.filings(orderNo: "RECENT-1").allSatisfy { !$0.payload.isEmpty })
        #expect(try await store.filings(orderNo: "OLD-OPEN").allSatisfy { !$0.payload.isEmpty })

        let entries = try await store.auditEntries(after: 0, limit: 10_000)
        #expect(AuditTrail.verify(entries).firstBroken == nil)
        #expect(try await store.auditEntries(orderNo: "OLD-0").count == 6)
        // Pruning again finds nothing more.
        #expect(try await store.prune(finishedBefore: cutoff, now: recent).orders == 0)
    }
}
