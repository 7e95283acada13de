import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: API keys and idempotency records")
struct BrokerAccessTests {
    let t0 = Fixture.t0

    @Test("keys: add, find by hash, list, revoke by hash or id; a hash is stored once")
    func keys() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let broker = try await store.addAPIKey(
            hash: "h-broker", role: .broker, subject: "AGENT-1", merchants: ["M-2", "M-1"], label: "desk", at: t0
        )
        let merchant = try await store.addAPIKey(hash: "h-merchant", role: .merchant, subject: "M-1", merchants: [], label: nil, at: t0 + 1)
        #expect(try await store.apiKey(hash: "h-broker") == broker)
        #expect(broker.merchants == ["M-1", "M-2"])
        #expect(try await store.apiKey(hash: "h-unknown") == nil)
        let duplicate = await #expect(throws: YidanError.self) {
            try await store.addAPIKey(hash: "h-broker", role: .admin, subject: "x", merchants: [], label: nil, at: t0)
        }
        #expect(duplicate?.code == .duplicate)

        #expect(try await store.revokeAPIKey(hash: "h-broker", at: t0 + 5))
        #expect(try await store.revokeAPIKey(hash: "h-broker", at: t0 + 6) == false)
        #expect(try await store.apiKey(hash: "h-broker") == nil)
        #expect(try await store.revokeAPIKey(id: merchant.id, at: t0 + 7))
        let all = try await store.apiKeys()
        #expect(all.map(\.hash) == ["h-broker", "h-merchant"])
        #expect(all.map(\.revokedAt) == [t0 + 5, t0 + 7])
    }

    @Test("idempotency: first answer wins and is per merchant")
    func idempotency() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let first = IdempotencyRecord(
            key: "k1", merchant: "M-1", requestDigest: "d1", responseStatus: 201, responseBody: Data("first".utf8), createdAt: t0
        )
        #expect(try await store.storeIdempotencyRecord(first) == first)
        var second = first
        second.responseBody = Data("second".utf8)
        second.createdAt = t0 + 1
        #expect(try await store.storeIdempotencyRecord(second) == first)
        #expect(try await store.idempotencyRecord(key: "k1", merchant: "M-1") == first)
        #expect(try await store.idempotencyRecord(key: "k1", merchant: "M-2") == nil)
        var other = second
        other.merchant = "M-2"
        #expect(try await store.storeIdempotencyRecord(other) == other)
    }
}
