public import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

/// API keys and idempotency records beside the outbox, for `yidan serve`
/// processes sharing the PostgreSQL store.
extension PostgresFilingStore: AccessStore {
    private static let keyColumns = "id, hash, role, subject, merchants, label, created_at, revoked_at"

    public func addAPIKey(
        hash: String, role: APIRole, subject: String, merchants: Set<String>, label: String?, at: Date
    ) async throws -> APIKeyRecord {
        try await transaction("adding an API key") { connection in
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (hash, role, subject, merchants, label, created_at)
                VALUES (\(hash), \(role.rawValue), \(subject), \(merchants.sorted()), \(label), \(at.timeIntervalSince1970))
                RETURNING id
                """,
                logger: logger
            ).collect()
            guard let id = try rows.first?.decode(Int64.self) else {
                throw YidanError(.store, "adding an API key returned no id")
            }
            return APIKeyRecord(id: id, hash: hash, role: role, subject: subject, merchants: merchants, label: label, createdAt: at, revokedAt: nil)
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await read("reading an API key") { connection in
            try await connection.query(
                "SELECT \(unescaped: Self.keyColumns) FROM api_keys WHERE hash = \(hash) AND revoked_at IS NULL", logger: logger
            ).collect().first.map(Self.apiKey)
        }
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await read("listing API keys") { connection in
            try await connection.query("SELECT \(unescaped: Self.keyColumns) FROM api_keys ORDER BY id", logger: logger)
                .collect().map(Self.apiKey)
        }
    }

    public func revokeAPIKey(hash: String, at: Date) async throws -> Bool {
        try await transaction("revoking an API key") { connection in
            !(try await connection.query(
                "UPDATE api_keys SET revoked_at = \(at.timeIntervalSince1970) WHERE hash = \(hash) AND revoked_at IS NULL RETURNING id",
                logger: logger
            ).collect().isEmpty)
        }
    }

    public func revokeAPIKey(id: Int64, at: Date) async throws -> Bool {
        try await transaction("revoking an API key") { connection in
            !(try await connection.query(
                "UPDATE api_keys SET revoked_at = \(at.timeIntervalSince1970) WHERE id = \(id) AND revoked_at IS NULL RETURNING id",
                logger: logger
            ).collect().isEmpty)
        }
    }

    public func idempotencyRecord(key: String, merchant: String) async throws -> IdempotencyRecord? {
        try await read("reading an idempotency record") { connection in
            try await Self.idempotencyRecord(key: key, merchant: merchant, connection, logger)
        }
    }

    /// First writer wins: `ON CONFLICT DO NOTHING` (which waits for a
    /// concurrent insert of the same key to commit), then read back what is stored.
    public func storeIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await transaction("storing an idempotency record") { connection in
            try await connection.query(
                """
                INSERT INTO idempotency_records (key, merchant, request_digest, response_status, response_body, created_at)
                VALUES (\(record.key), \(record.merchant), \(record.requestDigest), \(record.responseStatus), \(record.responseBody),
                        \(record.createdAt.timeIntervalSince1970))
                ON CONFLICT (key, merchant) DO NOTHING
                """,
                logger: logger
            )
            guard let stored = try await Self.idempotencyRecord(key: record.key, merchant: record.merchant, connection, logger) else {
                throw YidanError(.store, "an idempotency record vanished while being stored")
            }
            return stored
        }
    }

    private static func idempotencyRecord(
        key: String, merchant: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> IdempotencyRecord? {
        let rows = try await connection.query(
            """
            SELECT key, merchant, request_digest, response_status, response_body, created_at
            FROM idempotency_records WHERE key = \(key) AND merchant = \(merchant)
            """,
            logger: logger
        ).collect()
        return try rows.first.map { row in
            let cells = row.makeRandomAccess()
            return IdempotencyRecord(
                key: try cells["key"].decode(String.self),
                merchant: try cells["merchant"].decode(String.self),
                requestDigest: try cells["request_digest"].decode(String.self),
                responseStatus: try cells["response_status"].decode(Int.self),
                responseBody: try cells["response_body"].decode(Data.self),
                createdAt: PostgresRows.date(try cells["created_at"].decode(Double.self))
            )
        }
    }

    private static func apiKey(_ row: PostgresRow) throws -> APIKeyRecord {
        let cells = row.makeRandomAccess()
        return APIKeyRecord(
            id: try cells["id"].decode(Int64.self),
            hash: try cells["hash"].decode(String.self),
            role: try PostgresRows.raw(APIRole.self, cells["role"], "API key role"),
            subject: try cells["subject"].decode(String.self),
            merchants: Set(try cells["merchants"].decode([String].self)),
            label: try cells["label"].decode(String?.self),
            createdAt: PostgresRows.date(try cells["created_at"].decode(Double.self)),
            revokedAt: try cells["revoked_at"].decode(Double?.self).map(PostgresRows.date)
        )
    }
}
