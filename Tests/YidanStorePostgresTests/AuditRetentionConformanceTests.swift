import Foundation
import GRDB
import PostgresNIO
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The audit trail and retention contracts, run against every backend.
@Suite("Audit trail and retention conformance")
struct AuditRetentionConformanceTests {
    /// Accept, send and receive for one order, both filings reaching their final status.
    static func fileToTheEnd(_ store: any FilingStore, _ orderNo: String, payloadBytes: Int = 64, at: Date) async throws {
        var submission = Fixture.submission(orderNo, kinds: [.ceb311, .ceb621], at: at)
        submission.filings = submission.filings.map { filing in
            var copy = filing
            // Random bytes: PostgreSQL compresses repetitive values to nearly nothing.
            var generator = SystemRandomNumberGenerator()
            copy.payload = Data((0..<payloadBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }) + filing.payload
            return copy
        }
        _ = try await store.accept(submission)
        for filing in submission.filings {
            #expect(try await !store.claimDue(now: at, limit: 10, lease: .seconds(60)).isEmpty)
            try await store.completeAttempt(Fixture.attempt(filing.id, at: at, http: 200), outcome: .delivered, now: at)
            let final: FilingStatus = filing.kind == .ceb621 ? .released : .stored
            _ = try await store.applyReceipt(Fixture.receipt(for: filing.id, status: final == .released ? "800" : "120", at: at)) { _ in final }
        }
    }

    /// Runs `sql` on the store's own tables behind its back (a tampering operator).
    static func tamper(_ sql: String, _ scope: StoreScope) async throws {
        switch scope.backend {
        case .sqlite:
            let queue = try DatabaseQueue(path: scope.sqliteFolder.appendingPathComponent("yidan.sqlite").path)
            try await queue.write { db in try db.execute(sql: sql) }
        case .postgres:
            guard let url = StoreBackend.postgresURL else { return }
            _ = try await StoreScope.withAdminConnection(url: url) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(scope.schema)"), logger: StoreScope.quiet)
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: StoreScope.quiet)
            }
        }
    }

    @Test("every accept, send and receipt is a chained entry; an edited or deleted entry is caught", arguments: StoreBackend.all)
    func chainAndTamper(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let audit = try #require(store as? any AuditStore)
            try await Self.fileToTheEnd(store, "ORDER-A1", at: Fixture.t0)
            _ = try await store.applyReceipt(Fixture.receipt(for: Fixture.guid("nobody"), status: "2")) { _ in nil }

            let entries = try await audit.auditEntries(after: 0, limit: 100)
            #expect(entries.map(\.event) == [.accepted, .accepted, .sent, .received, .sent, .received, .received])
            #expect(entries.map(\.sequence) == Array(1...7))
            #expect(AuditTrail.verify(entries).firstBroken == nil)
            #expect(entries[0].digest == Fixture.filing("ORDER-A1-CEB311", .ceb311).idempotencyKey)
            #expect(entries[0].at == Fixture.t0)
            #expect(entries[3].digest == AuditEntry.digest(Fixture.receipt(for: "x", status: "120").raw))
            #expect(entries.last?.orderNo == nil && entries.last?.detail.contains("unmatched") == true)
            #expect(try await audit.auditEntries(orderNo: "ORDER-A1").count == 6)
            #expect(try await audit.auditEntries(after: 5, limit: 1).map(\.sequence) == [6])

            try await Self.tamper("UPDATE audit_trail SET digest = '\(String(repeating: "a", count: 64))' WHERE seq = 4", scope)
            #expect(AuditTrail.verify(try await audit.auditEntries(after: 0, limit: 100)).firstBroken?.sequence == 4)
            try await Self.tamper("DELETE FROM audit_trail WHERE seq = 2", scope)
            #expect(AuditTrail.verify(try await audit.auditEntries(after: 0, limit: 100)).firstBroken?.sequence == 3)
        }
    }

    @Test("orders accepted at once through two handles form one unbroken chain", arguments: StoreBackend.all)
    func concurrentChain(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let other = try await scope.open()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 1...12 {
                    let handle = n.isMultiple(of: 2) ? store : other
                    group.addTask {
                        _ = try await handle.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], buyer: "buyer-\(n)"))
                    }
                }
                try await group.waitForAll()
            }
            (other as? PostgresFilingStore)?.close()
            let entries = try await #require(store as? any AuditStore).auditEntries(after: 0, limit: 100)
            #expect(entries.count == 12)
            #expect(AuditTrail.verify(entries).firstBroken == nil)
        }
    }

    @Test("prune empties the bytes of finished old orders only, keeps the trail whole (SQLite also gives the space back to the disk)", arguments: StoreBackend.all)
    func prune(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let retention = try #require(store as? any RetentionStore)
            let old = Fixture.t0
            let recent = Fixture.t0.addingTimeInterval(200 * 86_400)
            for index in 0..<20 {
                try await Self.fileToTheEnd(store, "OLD-\(index)", payloadBytes: 64 * 1024, at: old)
            }
            try await Self.fileToTheEnd(store, "RECENT-1", payloadBytes: 512, at: recent)
            _ = try await store.accept(Fixture.submission("OLD-OPEN", kinds: [.ceb311], buyer: "buyer-open", at: old))

            let cutoff = recent.addingTimeInterval(-180 * 86_400)
            let report = try await retention.prune(finishedBefore: cutoff, now: recent)
            #expect(report.orders == 20)
            #expect(report.filings == 40)
            #expect(report.receipts == 40)
            switch backend {
            case .sqlite:
                // VACUUM rewrites the file: the space goes back to the disk at once.
                #expect(report.bytesAfter < report.bytesBefore / 2, "\(report.bytesBefore) → \(report.bytesAfter)")
            case .postgres:
                // A plain VACUUM frees the old row versions only once no other session's
                // snapshot can see them (other tests share the server), and returns only
                // trailing pages to the disk: the size is reported, not promised. The bytes
                // themselves are gone (checked below), which is what retention is for.
                #expect(report.bytesBefore > 0 && report.bytesAfter > 0)
            }

            #expect(try await store.orderJSON(orderNo: "OLD-0") == nil)
            #expect(try await store.filings(orderNo: "OLD-0").allSatisfy { $0.payload.isEmpty && $0.status.isTerminal(for: $0.kind) })
            #expect(try await store.receiptPayloads(filingID: Fixture.guid("OLD-0-CEB311")).allSatisfy(\.isEmpty))
            #expect(try await store.orderJSON(orderNo: "RECENT-1") != nil)
            #expect(try await store.filings(orderNo: "RECENT-1").allSatisfy { !$0.payload.isEmpty })
            #expect(try await store.filings(orderNo: "OLD-OPEN").allSatisfy { !$0.payload.isEmpty })

            let audit = try #require(store as? any AuditStore)
            #expect(AuditTrail.verify(try await audit.auditEntries(after: 0, limit: 10_000)).firstBroken == nil)
            #expect(try await audit.auditEntries(orderNo: "OLD-0").count == 6)
            #expect(try await retention.prune(finishedBefore: cutoff, now: recent).orders == 0)
        }
    }
}
