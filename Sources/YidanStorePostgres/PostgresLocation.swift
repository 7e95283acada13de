import Foundation
import YidanCore

/// Where a PostgreSQL store lives, parsed from a libpq-style URL:
/// `postgres://user[:password]@host[:port]/database[?schema=name&sslmode=disable|prefer|require]`.
///
/// `schema` puts every yidan table in that schema (created at open if
/// missing), so several stores — or parallel tests — share one database.
public struct PostgresLocation: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String?
    public var tls: TLSMode

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        schema: String? = nil, tls: TLSMode = .prefer
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.tls = tls
    }

    /// True for `postgres://` and `postgresql://` URLs: how `--store` tells a
    /// PostgreSQL store from an SQLite file path.
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses the URL. Errors name the part that is wrong, never the password.
    public init(url text: String) throws {
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw YidanError(.configuration, "a PostgreSQL store URL looks like postgres://user@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw YidanError(.configuration, "the PostgreSQL store URL has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw YidanError(.configuration, "the PostgreSQL store URL has no user (postgres://user@host/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw YidanError(.configuration, "the PostgreSQL store URL names no database (postgres://user@host/database)")
        }
        var schema: String?
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema", "search_path":
                guard let value = item.value, Self.isPlainIdentifier(value) else {
                    throw YidanError(.configuration, "schema must be a plain lower-case identifier ([a-z_][a-z0-9_]*)")
                }
                schema = value
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw YidanError(.configuration, "sslmode must be disable, prefer or require")
                }
                tls = mode
            default:
                throw YidanError(.configuration, "unknown PostgreSQL store URL parameter '\(item.name)' (known: schema, sslmode)")
            }
        }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database,
            schema: schema, tls: tls
        )
    }

    /// The URL without the password, for logs and messages.
    public var redacted: String {
        "postgres://\(username)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "")
    }

    /// Schema names are spliced into SQL (`CREATE SCHEMA`), so only plain
    /// identifiers are accepted: nothing that needs quoting can get in.
    static func isPlainIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 63 else { return false }
        let lower = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = lower.union(CharacterSet(charactersIn: "0123456789"))
        return lower.contains(first) && text.unicodeScalars.allSatisfy { rest.contains($0) }
    }
}
