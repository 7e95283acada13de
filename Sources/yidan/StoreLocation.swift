import Foundation
import Logging
import YidanCore
import YidanRouter
import YidanStore
import YidanStorePostgres

/// What `--store` names: an SQLite file path (the embedded default), or a
/// `postgres://user@host:port/database[?schema=…]` URL for the PostgreSQL
/// store that many `yidan worker` processes share.
enum StoreLocation: Equatable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    init(_ text: String) throws {
        if PostgresLocation.isPostgresURL(text) {
            self = .postgres(try PostgresLocation(url: text))
        } else {
            self = .sqlite(path: text)
        }
    }

    /// For logs: the path, or the URL without its password.
    var redacted: String {
        switch self {
        case let .sqlite(path): path
        case let .postgres(location): location.redacted
        }
    }

    /// Opens the store (running its migrations), personal data sealed. `options` applies to PostgreSQL only.
    func open(options: PostgresFilingStore.Options = .init(), logger: Logger) async throws -> SealedFilingStore {
        switch self {
        case let .sqlite(path):
            try SealedFilingStore.sqlite(path: path)
        case let .postgres(location):
            try await Self.sealed(PostgresFilingStore.open(location, options: options, logger: logger))
        }
    }

    /// A shared PostgreSQL store seals personal data with the key every
    /// machine is given (`YIDAN_DATA_KEY` or `YIDAN_DATA_KEY_FILE`); there is
    /// no key file beside a server, so without one the command refuses to start.
    static func sealed(_ store: any FilingStore) throws -> SealedFilingStore {
        let keys = try DataKeyRing.load(defaultFile: nil)
        return SealedFilingStore(base: store, sealer: PersonalDataSealer(keys: keys))
    }
}

extension StoreOptions {
    /// What `--store` names.
    func location() throws -> StoreLocation {
        try StoreLocation(store)
    }

    /// The environment over the store `--store` names, SQLite or PostgreSQL:
    /// what a command calls instead of `YidanEnvironment(storePath:)` to take
    /// both kinds of store.
    func environment(filing: FilingOptions, logger: Logger = StoreOptions.commandLogger) async throws -> YidanEnvironment {
        let store = try await open(logger: logger)
        return try YidanEnvironment(store: store, mappingsPath: filing.mappings, signing: try filing.signing())
    }

    /// The sealed store `--store` names, SQLite or PostgreSQL: the one opener
    /// of every command. Its broker, access, audit and retention views
    /// forward to either backend.
    func open(logger: Logger = StoreOptions.commandLogger) async throws -> SealedFilingStore {
        try await location().open(logger: logger)
    }

    /// Commands print their own results and failures; the store logs only errors (stderr).
    static var commandLogger: Logger { CLILogging.logger(label: "yidan.store", level: "error") }
}
