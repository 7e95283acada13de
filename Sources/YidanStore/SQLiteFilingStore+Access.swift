public import Foundation
import GRDB
import YidanCore

/// API keys and idempotency records in the same SQLite file as the outbox, so
/// an order and the answer that reported it can be kept consistent.
extension SQLiteFilingStore: AccessStore {
    public func addAPIKey(
        hash: String, role: APIRole, subject: String, merchants: Set<String>, label: String?, at: Date
    ) async throws -> APIKeyRecord {
        try await write("adding an API key") { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (hash, role, subject, merchants, label, created_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, NULL)
                    """,
                arguments: [hash, role.rawValue, subject, Self.merchantList(merchants), label, StoreColumn.seconds(at)]
            )
            return APIKeyRecord(
                id: db.lastInsertedRowID, hash: hash, role: role, subject: subject, merchants: merchants, label: label,
                createdAt: at, revokedAt: nil
            )
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read("reading an API key") { db in
            // Cached: every API request reads its key (compiling the statement cost more than running it).
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL"), arguments: [hash]
            ).map(APIKeyRecord.init(row:))
        }
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await read("listing API keys") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY id").map(APIKeyRecord.init(row:))
        }
    }

    public func revokeAPIKey(hash: String, at: Date) async throws -> Bool {
        try await write("revoking an API key") { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL",
                arguments: [StoreColumn.seconds(at), hash]
            )
            return db.changesCount > 0
        }
    }

    public func revokeAPIKey(id: Int64, at: Date) async throws -> Bool {
        try await write("revoking an API key") { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [StoreColumn.seconds(at), id]
            )
            return db.changesCount > 0
        }
    }

    public func idempotencyRecord(key: String, merchant: String) async throws -> IdempotencyRecord? {
        try await read("reading an idempotency record") { db in
            try Self.idempotencyRecord(key: key, merchant: merchant, db)
        }
    }

    /// First writer wins: `INSERT OR IGNORE`, then read back what is stored.
    public func storeIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await write("storing an idempotency record") { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO idempotency_records
                        (key, merchant, request_digest, response_status, response_body, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.key, record.merchant, record.requestDigest, record.responseStatus, record.responseBody,
                    StoreColumn.seconds(record.createdAt),
                ]
            )
            guard let stored = try Self.idempotencyRecord(key: record.key, merchant: record.merchant, db) else {
                throw YidanError(.store, "an idempotency record vanished while being stored")
            }
            return stored
        }
    }

    private static func idempotencyRecord(key: String, merchant: String, _ db: Database) throws -> IdempotencyRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM idempotency_records WHERE key = ? AND merchant = ?", arguments: [key, merchant]
        ).map { row in
            IdempotencyRecord(
                key: try row.decode(forColumn: "key"),
                merchant: try row.decode(forColumn: "merchant"),
                requestDigest: try row.decode(forColumn: "request_digest"),
                responseStatus: try row.decode(forColumn: "response_status"),
                responseBody: try row.decode(forColumn: "response_body"),
                createdAt: StoreColumn.date(try row.decode(Double.self, forColumn: "created_at"))
            )
        }
    }

    /// Merchant codes one per line, sorted, so the column is stable text.
    static func merchantList(_ merchants: Set<String>) -> String { merchants.sorted().joined(separator: "\n") }
}

extension APIKeyRecord {
    init(row: Row) throws {
        let roleText = try row.decode(String.self, forColumn: "role")
        guard let role = APIRole(rawValue: roleText) else {
            throw YidanError(.store, "unknown API key role '\(roleText)' in the store")
        }
        let merchants = try row.decode(String.self, forColumn: "merchants")
        self.init(
            id: try row.decode(forColumn: "id"),
            hash: try row.decode(forColumn: "hash"),
            role: role,
            subject: try row.decode(forColumn: "subject"),
            merchants: Set(merchants.split(separator: "\n").map(String.init)),
            label: try row.decode(forColumn: "label"),
            createdAt: StoreColumn.date(try row.decode(Double.self, forColumn: "created_at")),
            revokedAt: StoreColumn.date(try row.decode(Double?.self, forColumn: "revoked_at"))
        )
    }
}
