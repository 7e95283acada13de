import Foundation
public import YidanStore
import YidanCore

/// The holder of an API key, as the key store describes it.
public struct Principal: Sendable, Equatable {
    public var role: APIRole
    /// The merchant code (merchant), broker code (broker) or a name (admin).
    public var subject: String
    /// The merchants a broker is appointed for; ignored for other roles.
    public var appointedMerchants: Set<String>

    public init(role: APIRole, subject: String, appointedMerchants: Set<String> = []) {
        self.role = role
        self.subject = subject
        self.appointedMerchants = appointedMerchants
    }

    /// The holder of a stored key.
    public init(_ record: APIKeyRecord) {
        self.init(role: record.role, subject: record.subject, appointedMerchants: record.merchants)
    }

    /// The merchant codes this key may see; nil = all of them (admin).
    public var merchantScope: Set<String>? {
        switch role {
        case .merchant: [subject]
        case .broker: appointedMerchants
        case .admin: nil
        }
    }

    /// Whether this key may see an order of `merchant` (its `ebcCode`).
    public func mayAccess(merchant: String?) -> Bool {
        guard let scope = merchantScope else { return true }
        guard let merchant else { return false }
        return scope.contains(merchant)
    }

    /// Throws 403 unless the key has one of `roles`.
    func require(_ roles: Set<APIRole>, to action: String) throws {
        guard roles.contains(role) else {
            throw APIError.forbidden("a \(role.rawValue) key may not \(action)")
        }
    }
}

/// API keys: random, printable, hashed for storage.
public enum APIKey {
    /// A new key: `yd_` + 32 random bytes as lower-case hex (256 bits of entropy).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "yd_" + Hex.lowercase(bytes)
    }

    /// Lower-case hex SHA-256 of the key's bytes: what the store keeps. A key has
    /// 256 random bits, so a plain hash (no salt, no stretching) cannot be reversed.
    public static func hash(_ key: String) -> String {
        AuditEntry.digest(Data(key.utf8))
    }
}
