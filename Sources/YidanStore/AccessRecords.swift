public import Foundation

/// Who an API key speaks for.
public enum APIRole: String, Sendable, Hashable, CaseIterable {
    /// A merchant: its own orders only (`subject` is its `ebcCode`).
    case merchant
    /// A customs broker: the merchants it is appointed for (`merchants`).
    case broker
    /// Everything.
    case admin
}

/// An API key as stored: only a hash of the secret is kept (the server hashes,
/// the store never sees the key itself).
public struct APIKeyRecord: Sendable, Equatable {
    public var id: Int64
    public var hash: String
    public var role: APIRole
    /// The merchant or broker code the key belongs to (free text for admins).
    public var subject: String
    /// For a broker: the merchant codes it is appointed for. Empty otherwise.
    public var merchants: Set<String>
    public var label: String?
    public var createdAt: Date
    /// Set once revoked; a revoked key is never returned by `apiKey(hash:)`.
    public var revokedAt: Date?

    public init(
        id: Int64, hash: String, role: APIRole, subject: String, merchants: Set<String>, label: String?, createdAt: Date,
        revokedAt: Date?
    ) {
        self.id = id
        self.hash = hash
        self.role = role
        self.subject = subject
        self.merchants = merchants
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// The first answer to a request made with an `Idempotency-Key`, replayed when
/// the same merchant sends the same key again.
public struct IdempotencyRecord: Sendable, Equatable {
    public var key: String
    public var merchant: String
    /// A digest of the first request, so a different request under a reused key is recognised.
    public var requestDigest: String
    public var responseStatus: Int
    public var responseBody: Data
    public var createdAt: Date

    public init(key: String, merchant: String, requestDigest: String, responseStatus: Int, responseBody: Data, createdAt: Date) {
        self.key = key
        self.merchant = merchant
        self.requestDigest = requestDigest
        self.responseStatus = responseStatus
        self.responseBody = responseBody
        self.createdAt = createdAt
    }
}

/// API keys and idempotency records for `yidan serve`. Storage only: hashing,
/// roles and HTTP live in YidanServer.
public protocol AccessStore: Sendable {
    /// Stores a new key. Throws `YidanError(.duplicate)` if the hash is already stored.
    func addAPIKey(hash: String, role: APIRole, subject: String, merchants: Set<String>, label: String?, at: Date) async throws -> APIKeyRecord
    /// The key with this hash, unless unknown or revoked.
    func apiKey(hash: String) async throws -> APIKeyRecord?
    /// Every key, revoked ones included, oldest first.
    func apiKeys() async throws -> [APIKeyRecord]
    /// Revokes the key; false when no unrevoked key has that hash.
    func revokeAPIKey(hash: String, at: Date) async throws -> Bool
    /// Revokes the key by its id; false when no unrevoked key has that id.
    func revokeAPIKey(id: Int64, at: Date) async throws -> Bool
    /// The stored first answer for this merchant's key, if any.
    func idempotencyRecord(key: String, merchant: String) async throws -> IdempotencyRecord?
    /// Stores the first answer for (key, merchant). If one is already stored (a
    /// concurrent retry got there first) it is kept and returned instead.
    func storeIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord
}
