import Foundation
import Testing
import YidanCore
@testable import YidanStore

/// The store under faults it cannot prevent: other writers holding the lock
/// (SQLITE_BUSY) and a full disk (SQLITE_FULL). Nothing acknowledged is lost
/// and nothing refused is half-stored.
@Suite("Store faults: busy writers and a full disk")
struct StoreFaultTests {
    @Test("several handles on one file accepting at once: every order stored whole")
    func concurrentWritersOnOneFile() async throws {
        let folder = try TemporaryStoreFolder()
        let handles = try (0..<4).map { _ in try folder.open() }
        let perHandle = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (h, store) in handles.enumerated() {
                for n in 0..<perHandle {
                    group.addTask {
                        let outcome = try await store.accept(Fixture.submission("BUSY-\(h)-\(n)", buyer: "buyer-\(h)", amount: 10))
                        guard case .accepted = outcome else { throw YidanError(.store, "BUSY-\(h)-\(n) was not new") }
                    }
                }
            }
            try await group.waitForAll()
        }
        let reader = try folder.open()
        #expect(try await reader.filings(status: nil, limit: 10_000).count == handles.count * perHandle * 2)
        for h in handles.indices {
            #expect(try await reader.allowanceUsed(buyerKey: "buyer-\(h)", year: 2025) == Decimal(perHandle * 10))
            for n in 0..<perHandle {
                #expect(try await reader.filings(orderNo: "BUSY-\(h)-\(n)").count == 2)
            }
        }
    }

    @Test("handles opening a new file at the same time all migrate it without error")
    func concurrentOpensOfANewFile() async throws {
        let folder = try TemporaryStoreFolder()
        let path = folder.path
        let stores = try await withThrowingTaskGroup(of: SQLiteFilingStore.self) { group in
            for _ in 0..<6 { group.addTask { try SQLiteFilingStore(path: path) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 6)
        for (index, store) in stores.enumerated() {
            _ = try await store.accept(Fixture.submission("OPEN-\(index)", buyer: "buyer-open-\(index)"))
        }
        #expect(try await stores[0].filings(status: nil, limit: 100).count == 12)
    }

    @Test("a writer that finds the file locked waits for the lock (busy timeout), then commits")
    func busyTimeoutWaitsForAnotherHandlesTransaction() async throws {
        #expect(SQLiteFilingStore.busyTimeout >= 1, "a busy timeout of zero fails at the first lock held by a status reader")
        let folder = try TemporaryStoreFolder()
        let holder = try folder.open()
        let writer = try folder.open()
        let release = DispatchSemaphore(value: 0)
        let locked = DispatchSemaphore(value: 0)
        // The holder takes the write lock and keeps it until released.
        let holding = Task {
            try await holder.pool.write { db in
                try db.execute(sql: "CREATE TABLE lock_probe (x INTEGER)")
                locked.signal()
                release.wait()
                throw CancellationError()  // roll back: the probe table never exists
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { locked.wait(); done.resume() }
        }
        let accepting = Task { try await writer.accept(Fixture.submission("WAITED-1")) }
        // Give the accept time to hit the held lock; it must wait, not fail.
        try await Task.sleep(for: .milliseconds(300))
        release.signal()
        _ = try? await holding.value
        #expect(try await accepting.value == .accepted(filingIDs: Fixture.submission("WAITED-1").filings.map(\.id)))
        #expect(try await writer.filings(orderNo: "WAITED-1").count == 2)
    }

    @Test("disk full while accepting: refused with a clear error, nothing half-stored, allowance unchanged")
    func diskFullWhileAccepting() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("FIRST-1", amount: 100))
        // A real SQLITE_FULL: the writer may not grow the file past its current pages.
        let pages = try await store.pool.write { db in
            try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        }
        try await store.pool.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)")
        }
        var big = Fixture.submission("FULL-1", amount: 200)
        // Large payloads need new pages, so the insert cannot fit in free space.
        big.filings = big.filings.map { filing in
            var filing = filing
            filing.payload = Data(repeating: UInt8(ascii: "x"), count: 256 * 1024)
            return filing
        }
        let error = try await #require(throws: YidanError.self) { try await store.accept(big) }
        #expect(error.code == .store)
        // The batch's transaction was rolled back by SQLite; the message says so and names the disk.
        #expect(error.message.contains("disk full") && error.message.contains("nothing was stored"), "\(error.message)")
        #expect(try await store.filings(orderNo: "FULL-1").isEmpty)
        #expect(try await store.orderJSON(orderNo: "FULL-1") == nil)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
        #expect(try await store.filings(status: nil, limit: 100).count == 2, "the earlier order is intact")

        // Space again: the same order is accepted whole.
        try await store.pool.writeWithoutTransaction { db in
            _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823")
        }
        guard case .accepted = try await store.accept(big) else {
            Issue.record("the order was not accepted once space returned")
            return
        }
        #expect(try await store.filings(orderNo: "FULL-1").count == 2)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 300)
    }
}
