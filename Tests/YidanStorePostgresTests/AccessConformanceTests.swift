import Foundation
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The `AccessStore` contract (API keys, idempotency records), against every backend.
@Suite("AccessStore conformance")
struct AccessConformanceTests {
    let t0 = Fixture.t0

    /// Both store types are also `AccessStore`s.
    static func access(_ store: any FilingStore) throws -> any AccessStore {
        try #require(store as? any AccessStore, "\(type(of: store)) is not an AccessStore")
    }

    @Test("keys: added with their merchants, found by hash until revoked, listed with revoked ones; hashes are unique", arguments: StoreBackend.all)
    func apiKeys(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let access = try Self.access(store)
            let broker = try await access.addAPIKey(hash: "h-broker", role: .broker, subject: "BRK1", merchants: ["M2", "M1"], label: "desk", at: t0)
            let merchant = try await access.addAPIKey(hash: "h-merchant", role: .merchant, subject: "M1", merchants: [], label: nil, at: t0 + 1)
            #expect(broker.id != merchant.id)
            #expect(try await access.apiKey(hash: "h-broker") == broker)
            #expect(try await access.apiKey(hash: "h-broker")?.merchants == ["M1", "M2"])
            #expect(await errorCode {
                _ = try await access.addAPIKey(hash: "h-broker", role: .admin, subject: "x", merchants: [], label: nil, at: t0)
            } == .duplicate)

            #expect(try await access.revokeAPIKey(hash: "h-broker", at: t0 + 5))
            #expect(try await access.revokeAPIKey(hash: "h-broker", at: t0 + 6) == false)
            #expect(try await access.apiKey(hash: "h-broker") == nil)
            #expect(try await access.revokeAPIKey(id: merchant.id, at: t0 + 7))
            #expect(try await access.revokeAPIKey(id: 999_999, at: t0 + 7) == false)
            let all = try await access.apiKeys()
            #expect(all.map(\.hash) == ["h-broker", "h-merchant"])
            #expect(all.map(\.revokedAt) == [t0 + 5, t0 + 7])
        }
    }

    @Test("idempotency records: the first answer stored wins and is replayed", arguments: StoreBackend.all)
    func idempotencyRecords(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let access = try Self.access(store)
            let first = IdempotencyRecord(
                key: "k1", merchant: "M1", requestDigest: "d1", responseStatus: 201, responseBody: Data("{\"a\":1}".utf8), createdAt: t0
            )
            #expect(try await access.idempotencyRecord(key: "k1", merchant: "M1") == nil)
            #expect(try await access.storeIdempotencyRecord(first) == first)
            var second = first
            second.requestDigest = "d2"
            second.responseStatus = 409
            #expect(try await access.storeIdempotencyRecord(second) == first)
            #expect(try await access.idempotencyRecord(key: "k1", merchant: "M1") == first)
            #expect(try await access.idempotencyRecord(key: "k1", merchant: "M2") == nil)
        }
    }
}
