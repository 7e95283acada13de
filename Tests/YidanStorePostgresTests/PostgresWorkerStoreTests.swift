import Foundation
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// What only the shared PostgreSQL store does: migrations under many
/// starting workers, heartbeats, rescues counted, limits across workers.
@Suite("PostgresFilingStore: many workers")
struct PostgresWorkerStoreTests {
    let t0 = Fixture.t0

    @Test("several workers opening a fresh database at once migrate it once", arguments: StoreBackend.postgresOnly)
    func concurrentMigrations(_ backend: StoreBackend) async throws {
        let scope = StoreScope(backend)
        do {
            let stores = try await withThrowingTaskGroup(of: (any FilingStore).self) { group in
                for _ in 0..<4 { group.addTask { try await scope.open() } }
                return try await group.reduce(into: [any FilingStore]()) { $0.append($1) }
            }
            #expect(stores.count == 4)
            _ = try await stores[0].accept(Fixture.submission("ORDER-1"))
            #expect(try await stores[3].filings(orderNo: "ORDER-1").count == 2)
            for store in stores { try await closeIfPostgres(store) }
        } catch {
            try await scope.remove()
            throw error
        }
        try await scope.remove()
    }

    @Test("a heartbeat extends only the worker's own live leases; a dead worker's filing is rescued and counted", arguments: StoreBackend.postgresOnly)
    func heartbeatsAndRescues(_ backend: StoreBackend) async throws {
        try await withStore(backend) { _, scope in
            let alive = try #require(try await scope.open(workerID: "alive") as? PostgresFilingStore)
            let dead = try #require(try await scope.open(workerID: "dead") as? PostgresFilingStore)
            _ = try await alive.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
            _ = try await alive.accept(Fixture.submission("ORDER-2", kinds: [.ceb311], buyer: "b2"))
            let mine = try await alive.claimDue(now: t0, limit: 1, lease: .seconds(10))
            let theirs = try await dead.claimDue(now: t0, limit: 1, lease: .seconds(10))
            #expect(mine.count == 1 && theirs.count == 1)

            #expect(try await alive.extendLeases(until: t0 + 20, now: t0 + 5) == 1)
            #expect(try await alive.filing(id: mine[0].id)?.leaseUntil == t0 + 20)
            #expect(try await alive.filing(id: theirs[0].id)?.leaseUntil == t0 + 10)

            // "dead" sent no heartbeat: at t0+10 its filing goes to "alive", counted as a rescue.
            let rescued = try await alive.claimDue(now: t0 + 10, limit: 10, lease: .seconds(10))
            #expect(rescued.map(\.id) == [theirs[0].id])
            #expect(try await alive.leaseRescues() == [theirs[0].id: 1])
            // A late heartbeat from "dead" finds nothing of its own any more.
            #expect(try await dead.extendLeases(until: t0 + 60, now: t0 + 11) == 0)
            alive.close()
            dead.close()
        }
    }

    @Test("a per-authority limit holds across workers claiming at once", arguments: StoreBackend.postgresOnly)
    func limitsAcrossWorkers(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            for n in 1...10 {
                _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311, .taxImport], buyer: "b\(n)"))
            }
            var workers: [any FilingStore] = []
            for n in 0..<3 { workers.append(try await scope.open(authorityLimits: [.customs: 4], workerID: "w\(n)")) }
            let claimed = try await withThrowingTaskGroup(of: [FilingRecord].self) { group in
                for worker in workers {
                    group.addTask { try await worker.claimDue(now: Fixture.t0, limit: 10, lease: .seconds(30)) }
                }
                return try await group.reduce(into: [FilingRecord]()) { $0 += $1 }
            }
            #expect(claimed.filter { $0.kind.authority == .customs }.count == 4)
            #expect(Set(claimed.map(\.id)).count == claimed.count)
            // A delivery frees one place.
            let one = try #require(claimed.first { $0.kind.authority == .customs })
            try await workers[0].completeAttempt(Fixture.attempt(one.id), outcome: .delivered, now: t0)
            let next = try await workers[1].claimDue(now: t0, limit: 10, lease: .seconds(30))
            #expect(next.filter { $0.kind.authority == .customs }.count == 1)
            for worker in workers { try await closeIfPostgres(worker) }
        }
    }

    @Test("store URLs: parts, schema, sslmode; bad ones are refused without echoing the password")
    func locations() throws {
        let location = try PostgresLocation(url: "postgres://yidan:s%40cret@db.example:6543/yidan?schema=tenant_1&sslmode=require")
        #expect(location == PostgresLocation(
            host: "db.example", port: 6543, username: "yidan", password: "s@cret", database: "yidan", schema: "tenant_1", tls: .require
        ))
        #expect(location.redacted == "postgres://yidan@db.example:6543/yidan?schema=tenant_1")
        #expect(try PostgresLocation(url: "postgresql://u@h/d").port == 5432)
        for bad in ["postgres://h/d", "postgres://u@h", "postgres://u@h/d?schema=Robert';DROP", "postgres://u@h/d?x=1", "/tmp/a.sqlite"] {
            #expect(throws: YidanError.self) { try PostgresLocation(url: bad) }
        }
        #expect(PostgresLocation.isPostgresURL("postgres://u@h/d") && !PostgresLocation.isPostgresURL("yidan.sqlite"))
    }
}
