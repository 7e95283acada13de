import Foundation
import GRDB
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: file, migrations, durability")
struct DurabilityTests {
    let t0 = Fixture.t0

    @Test("the pool runs in WAL mode with synchronous FULL and a busy timeout on the writer")
    func pragmas() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        #expect(try await store.writerScalar("PRAGMA journal_mode") == "wal")
        #expect(try await store.writerScalar("PRAGMA synchronous") == "2")  // FULL
        #expect(try await store.writerScalar("PRAGMA busy_timeout") == "5000")
        #expect(try await store.readerScalar("PRAGMA foreign_keys") == "1")
    }

    @Test("data survives closing the store and opening a new one on the same file")
    func reopen() async throws {
        let folder = try TemporaryStoreFolder()
        let submission = Fixture.submission("ORDER-1")
        let id = submission.filings[0].id
        do {
            let store = try folder.open()
            _ = try await store.accept(submission)
            _ = try await store.claimDue(now: t0, limit: 1, lease: .seconds(30))
            try await store.completeAttempt(Fixture.attempt(id, at: t0), outcome: .delivered, now: t0 + 1)
            _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "120", at: t0 + 2)) { _ in .stored }
            _ = try await store.applyReceipt(Fixture.receipt(for: Fixture.guid("stranger"))) { _ in .stored }
            try store.close()
        }

        let reopened = try folder.open()
        #expect(try await reopened.orderJSON(orderNo: "ORDER-1") == submission.orderJSON)
        let filing = try #require(try await reopened.filing(id: id))
        #expect(filing.status == .stored)
        #expect(filing.attempts == 1)
        #expect(filing.lastReturnStatus == "120")
        #expect(try await reopened.attempts(filingID: id).count == 1)
        #expect(try await reopened.receipts(filingID: id).map(\.moved) == [true])
        #expect(try await reopened.unmatchedReceipts(limit: 10).count == 1)
        #expect(try await reopened.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
        #expect(try await reopened.statusCounts() == [.stored: 1, .queued: 1])
        #expect(try await reopened.accept(submission) == .alreadyAccepted(filingIDs: submission.filings.map(\.id)))
    }

    @Test("migrations are named, ordered, and run once: reopening an existing file applies nothing new")
    func migrationsIdempotent() async throws {
        let folder = try TemporaryStoreFolder()
        let first = try folder.open()
        _ = try await first.accept(Fixture.submission("ORDER-1"))
        #expect(try await first.appliedMigrations() == StoreMigrations.names)
        try first.close()

        for _ in 1...2 {
            let again = try folder.open()
            #expect(try await again.appliedMigrations() == StoreMigrations.names)
            #expect(try await again.readerScalar("SELECT COUNT(*) FROM grdb_migrations") == "\(StoreMigrations.names.count)")
            #expect(try await again.filings(orderNo: "ORDER-1").count == 2)
            try again.close()
        }
    }

    @Test("a store written before payloads moved beside the filings rows (v7) keeps every payload, readable and claimable")
    func payloadsMoveOutOfFilingsRows() async throws {
        let folder = try TemporaryStoreFolder()
        let payload = Data((0..<6_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })  // larger than a page
        let id = Fixture.guid("v7-filing")
        do {
            let queue = try DatabaseQueue(path: folder.path)
            try StoreMigrations.migrator.migrate(queue, upTo: "v7-order-queue")
            try await queue.write { db in
                let at = Fixture.t0.timeIntervalSince1970
                try db.execute(
                    sql: "INSERT INTO orders (order_no, platform, order_json, accepted_at) VALUES ('ORDER-7', 'test', X'7B7D', ?)",
                    arguments: [at]
                )
                try db.execute(
                    sql: """
                        INSERT INTO filings (id, order_no, kind, status, payload, idempotency_key, next_attempt_at, created_at, updated_at)
                        VALUES (?, 'ORDER-7', 'CEB311', 'queued', ?, 'key-7', ?, ?, ?)
                        """,
                    arguments: [id, payload, at, at, at]
                )
            }
            try queue.close()
        }

        let store = try folder.open()
        #expect(try await store.appliedMigrations() == StoreMigrations.names)
        #expect(try await store.readerScalar("SELECT COUNT(*) FROM pragma_table_info('filings') WHERE name = 'payload'") == "0")
        #expect(try await store.filing(id: id)?.payload == payload)
        #expect(try await store.filings(orderNo: "ORDER-7").map(\.payload) == [payload])
        let claimed = try await store.claimDue(now: t0 + 1, limit: 5, lease: .seconds(30))
        #expect(claimed.map(\.id) == [id])
        #expect(claimed.map(\.payload) == [payload])
        #expect(claimed.map(\.status) == [.sending])
    }

    @Test("a committed order is on disk for another process at once, while the store is still open")
    func committedDataVisibleToAnotherProcess() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311], amount: Decimal(string: "123.45")!))

        let filings = try sqliteInChildProcess(
            path: folder.path, query: "SELECT order_no, kind, status, attempts, next_attempt_at FROM filings"
        )
        #expect(filings == "ORDER-1|CEB311|queued|0|\(t0.timeIntervalSince1970)")
        let used = try sqliteInChildProcess(path: folder.path, query: "SELECT used, typeof(used) FROM buyer_allowance")
        #expect(used == "123.45|text")

        try store.close()
        let afterClose = try sqliteInChildProcess(path: folder.path, query: "SELECT COUNT(*) FROM orders")
        #expect(afterClose == "1")
    }

    @Test("opening creates missing parent folders; an unusable path is a store error")
    func openingPaths() async throws {
        let folder = try TemporaryStoreFolder()
        let nested = folder.folder.appendingPathComponent("a/b/yidan.sqlite").path
        let store = try SQLiteFilingStore(path: nested)
        _ = try await store.accept(Fixture.submission("ORDER-1"))
        #expect(FileManager.default.fileExists(atPath: nested))

        // A folder where the file should be.
        let error = #expect(throws: YidanError.self) { try SQLiteFilingStore(path: folder.folder.path) }
        #expect(error?.code == .store)
    }
}
