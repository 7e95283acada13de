import Foundation
import Testing
import YidanCore
@testable import YidanStore
import YidanChildProcess

@Suite("SQLiteFilingStore: the broker's filtered, paged filing list")
struct BrokerQueryTests {
    let t0 = Fixture.t0

    /// Three merchants' orders, created a minute apart: import (customs, tax, FX kinds) and export kinds.
    func seed(_ store: SQLiteFilingStore) async throws {
        let orders: [(String, String, [MessageKind])] = [
            ("ORDER-A1", "MERCHANT-A", [.ceb311, .taxImport, .fxPayment]),
            ("ORDER-B1", "MERCHANT-B", [.ceb311, .ceb621]),
            ("ORDER-A2", "MERCHANT-A", [.ceb303]),
            ("ORDER-C1", "MERCHANT-C", [.ceb311]),
        ]
        for (n, (orderNo, merchant, kinds)) in orders.enumerated() {
            var submission = Fixture.submission(orderNo, kinds: kinds, buyer: "buyer-\(n)", at: t0 + Double(n * 60))
            submission.merchant = merchant
            submission.agent = "AGENT-1"
            _ = try await store.accept(submission)
        }
    }

    func ids(_ page: FilingPage) -> [String] { page.filings.map(\.id) }

    @Test("no filter: every filing, newest first, with merchant and agent, without payload")
    func everything() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await seed(store)
        let page = try await store.filings(matching: FilingQuery(limit: 100))
        #expect(page.filings.count == 7)
        #expect(page.next == nil)
        #expect(page.filings.map(\.orderNo) == ["ORDER-C1", "ORDER-A2", "ORDER-B1", "ORDER-B1", "ORDER-A1", "ORDER-A1", "ORDER-A1"])
        #expect(page.filings.first?.merchant == "MERCHANT-C")
        #expect(page.filings.allSatisfy { $0.agent == "AGENT-1" })
    }

    @Test("each filter alone and combined")
    func filters() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await seed(store)
        func orders(_ query: FilingQuery) async throws -> [String] {
            try await store.filings(matching: query).filings.map { "\($0.orderNo)/\($0.kind.rawValue)" }
        }
        #expect(try await orders(FilingQuery(merchants: ["MERCHANT-A"])) == ["ORDER-A2/CEB303", "ORDER-A1/TAX-IMPORT", "ORDER-A1/FX-PAYMENT", "ORDER-A1/CEB311"])
        #expect(Set(try await orders(FilingQuery(authorities: [.tax, .fx]))) == ["ORDER-A1/TAX-IMPORT", "ORDER-A1/FX-PAYMENT"])
        #expect(try await orders(FilingQuery(kinds: [.ceb621])) == ["ORDER-B1/CEB621"])
        #expect(try await orders(FilingQuery(authorities: [.tax], kinds: [.ceb311])).isEmpty)
        #expect(try await orders(FilingQuery(orderNo: "ORDER-B1")).count == 2)
        #expect(try await orders(FilingQuery(createdFrom: t0 + 60, createdTo: t0 + 180)).map { $0.prefix(8) } == ["ORDER-A2", "ORDER-B1", "ORDER-B1"])
        #expect(try await orders(FilingQuery(kinds: [.ceb311], merchants: ["MERCHANT-A", "MERCHANT-C"])) == ["ORDER-C1/CEB311", "ORDER-A1/CEB311"])
        #expect(try await orders(FilingQuery(merchants: ["NOBODY"])).isEmpty)

        let claimed = try await store.claimDue(now: t0 + 1000, limit: 1, lease: .seconds(30))
        #expect(claimed.count == 1)
        let sending = try await store.filings(matching: FilingQuery(statuses: [.sending]))
        #expect(ids(sending) == claimed.map(\.id))
        #expect(try await store.filings(matching: FilingQuery(statuses: [.queued])).filings.count == 6)
        #expect(try await store.filings(matching: FilingQuery(statuses: [])).filings.isEmpty)
    }

    @Test("a cursor survives its string form and pages without duplicates or gaps")
    func paging() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await seed(store)
        var seen: [String] = []
        var cursor: FilingCursor?
        repeat {
            let page = try await store.filings(matching: FilingQuery(limit: 2, after: cursor))
            #expect(page.filings.count <= 2)
            seen += ids(page)
            // Through the URL form and back, as a client would.
            cursor = try page.next.map { try #require(FilingCursor($0.description)) }
        } while cursor != nil
        #expect(seen == ids(try await store.filings(matching: FilingQuery(limit: 100))))
        #expect(FilingCursor("not a cursor!") == nil)
        let exact = FilingCursor(createdAt: Date(timeIntervalSince1970: 1_750_000_000.123456789), id: "X-1")
        #expect(FilingCursor(exact.description) == exact)
    }

    @Test("orders accepted while a client pages never show up twice or push rows out of later pages")
    func pagingUnderConcurrentInserts() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await seed(store)
        let before = ids(try await store.filings(matching: FilingQuery(limit: 100)))
        let writer = Task {
            for n in 0..<40 {
                var submission = Fixture.submission("NEW-\(n)", kinds: [.ceb311], buyer: "new-\(n)", at: t0 + 10_000 + Double(n))
                submission.merchant = "MERCHANT-A"
                _ = try await store.accept(submission)
            }
        }
        var seen: [String] = []
        var cursor: FilingCursor?
        var first = true
        while first || cursor != nil {
            first = false
            let page = try await store.filings(matching: FilingQuery(limit: 1, after: cursor))
            seen += ids(page)
            cursor = page.next
            await Task.yield()
        }
        try await writer.value
        #expect(Set(seen).count == seen.count, "no filing twice")
        // Everything that existed when paging began is there, in order; newer rows may lead.
        let old = seen.filter { before.contains($0) }
        #expect(old == before)
        let all = ids(try await store.filings(matching: FilingQuery(limit: 1000)))
        #expect(all.count == before.count + 40)
    }

    @Test("merchant and agent of orders stored before the columns existed come from their JSON")
    func backfill() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        var submission = Fixture.submission("OLD-1", kinds: [.ceb311])
        submission.orderJSON = Data(#"{"orderNo":"OLD-1","enterprises":{"ebcCode":"EBC0000001","agentCode":"AGT0000001"}}"#.utf8)
        _ = try await store.accept(submission)
        #expect(try await store.orderMerchant(orderNo: "OLD-1") == nil)
        try store.close()
        // Rewind the file to before the step, as an older yidan left it, and reopen.
        try sqliteScriptInChildProcess(path: folder.path, script: """
            DELETE FROM grdb_migrations WHERE identifier IN ('v4-order-parties', 'v4-status-changes', 'v4-access');
            DROP INDEX orders_by_merchant; DROP INDEX filings_by_created;
            ALTER TABLE orders DROP COLUMN merchant; ALTER TABLE orders DROP COLUMN agent;
            DROP TABLE status_changes; DROP TABLE api_keys; DROP TABLE idempotency_records;
            """)
        let reopened = try folder.open()
        #expect(try await reopened.orderMerchant(orderNo: "OLD-1") == "EBC0000001")
        #expect(try await reopened.filings(matching: FilingQuery(merchants: ["EBC0000001"])).filings.first?.agent == "AGT0000001")
    }

    @Test("stuck: not final and created before the deadline, oldest first; counts per authority")
    func stuckAndCounts() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        try await seed(store)
        let a1 = try await store.filings(orderNo: "ORDER-A1")
        let ceb311 = try #require(a1.first { $0.kind == .ceb311 })
        _ = try await store.applyReceipt(Fixture.receipt(for: ceb311.id, status: "120")) { _ in .stored }
        let stuck = try await store.stuckFilings(before: t0 + 61, limit: 10)
        #expect(Set(stuck.map(\.kind)) == [.taxImport, .fxPayment, .ceb311, .ceb621], "ORDER-A1's 311 is final, B1's are not")
        #expect(stuck.first?.orderNo == "ORDER-A1")
        #expect(stuck.count == 4)
        #expect(stuck.allSatisfy { $0.isStuck(deadline: t0 + 61) })
        #expect(try await store.stuckFilings(before: t0, limit: 10).isEmpty)

        let counts = try await store.statusCountsByAuthority()
        #expect(counts[.customs] == [.queued: 4, .stored: 1])
        #expect(counts[.tax] == [.queued: 1])
        #expect(counts[.fx] == [.queued: 1])
    }
}

/// Runs several SQL statements in one committed script with Python's sqlite3 (a connection that shares nothing with the store's).
func sqliteScriptInChildProcess(path: String, script: String) throws {
    let process = try ChildProcess.run(
        "/usr/bin/python3", ["-c", "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()", path, script]
    )
    guard process.status == 0 else {
        throw YidanError(.store, "sqlite script failed with status \(process.status): \(process.stderr)")
    }
}
