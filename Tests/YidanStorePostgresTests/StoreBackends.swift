import Foundation
import Logging
import PostgresNIO
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The store implementations every conformance scenario runs against.
///
/// PostgreSQL is found through `YIDAN_TEST_POSTGRES_URL`
/// (e.g. `postgres://yidan@127.0.0.1:5432/yidan_test`). Without it the
/// PostgreSQL cases are left out locally; under CI (`CI` set) they stay in
/// and fail, so a CI machine without a server cannot pass quietly.
enum StoreBackend: String, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["YIDAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let underCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    static let all: [StoreBackend] = postgresURL != nil || underCI ? [.sqlite, .postgres] : [.sqlite]
    static let postgresOnly: [StoreBackend] = postgresURL != nil || underCI ? [.postgres] : []
}

/// One empty store for one test: a temporary SQLite file, or a fresh
/// PostgreSQL schema (created by the store, dropped at the end), so tests run
/// in parallel against one server. `open()` gives further handles on the
/// same data — a second worker process, as far as the store can tell.
final class StoreScope: Sendable {
    let backend: StoreBackend
    let sqliteFolder: URL
    let schema: String

    init(_ backend: StoreBackend) {
        self.backend = backend
        self.sqliteFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-conformance-\(UUID().uuidString)", isDirectory: true)
        self.schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    var postgresLocation: PostgresLocation {
        get throws {
            guard let url = StoreBackend.postgresURL else {
                throw YidanError(.configuration, "CI is set but YIDAN_TEST_POSTGRES_URL is not: the PostgreSQL store tests need a server")
            }
            var location = try PostgresLocation(url: url)
            location.schema = schema
            return location
        }
    }

    /// A store handle; each call is a separate connection pool (PostgreSQL)
    /// or a separate `DatabasePool` on the same file (SQLite).
    func open(authorityLimits: [Authority: Int] = [:], workerID: String? = nil) async throws -> any FilingStore {
        switch backend {
        case .sqlite:
            try FileManager.default.createDirectory(at: sqliteFolder, withIntermediateDirectories: true)
            return try SQLiteFilingStore(path: sqliteFolder.appendingPathComponent("yidan.sqlite").path)
        case .postgres:
            var options = PostgresFilingStore.Options(authorityLimits: authorityLimits, maximumConnections: 4)
            if let workerID { options.workerID = workerID }
            return try await PostgresFilingStore.open(try postgresLocation, options: options, logger: Self.quiet)
        }
    }

    /// Removes the SQLite folder or drops the schema.
    func remove() async throws {
        switch backend {
        case .sqlite:
            try? FileManager.default.removeItem(at: sqliteFolder)
        case .postgres:
            guard let url = StoreBackend.postgresURL else { return }
            _ = try await Self.withAdminConnection(url: url) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(self.schema) CASCADE"), logger: Self.quiet)
            }
        }
    }

    static let quiet = Logger(label: "yidan.test.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// One plain connection to the test database (outside any store), for set-up and clean-up.
    static func withAdminConnection<T: Sendable>(url: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let location = try PostgresLocation(url: url)
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quiet)
        do {
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// Runs `body` with a fresh store of `backend`, cleaned up afterwards whatever happens.
func withStore(_ backend: StoreBackend, _ body: (any FilingStore, StoreScope) async throws -> Void) async throws {
    let scope = StoreScope(backend)
    do {
        let store = try await scope.open()
        try await body(store, scope)
        (store as? PostgresFilingStore)?.close()
    } catch {
        try await scope.remove()
        throw error
    }
    try await scope.remove()
}

/// Test data. Times are whole seconds so they round-trip exactly.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)
    static let annualLimit: Decimal = 26_000

    /// A 36-character upper-case guid derived from a readable seed.
    static func guid(_ seed: String) -> String {
        let hex = seed.utf8.map { String(format: "%02X", $0) }.joined()
        let d = Array((hex + String(repeating: "0", count: 32)).prefix(32))
        return "\(String(d[0..<8]))-\(String(d[8..<12]))-\(String(d[12..<16]))-\(String(d[16..<20]))-\(String(d[20..<32]))"
    }

    static func filing(_ seed: String, _ kind: MessageKind, purpose: FilingPurpose = .declare, supersedes: String? = nil) -> PreparedFiling {
        PreparedFiling(
            id: guid(seed), kind: kind, payload: Data("<\(kind.rootElement) guid=\"\(guid(seed))\"/>".utf8),
            idempotencyKey: "key-\(seed)", purpose: purpose, supersedes: supersedes
        )
    }

    static func submission(
        _ orderNo: String, kinds: [MessageKind] = [.ceb311, .ceb621], buyer: String = "buyer-hash-1",
        amount: Decimal = 100, limit: Decimal = annualLimit, at acceptedAt: Date = t0
    ) -> OrderSubmission {
        OrderSubmission(
            orderNo: orderNo, platform: "test-platform", orderJSON: Data(#"{"orderNo":"\#(orderNo)"}"#.utf8),
            filings: kinds.map { filing("\(orderNo)-\($0.rawValue)", $0) },
            allowance: AllowanceUse(buyerKey: buyer, year: 2025, amount: amount, limit: limit), acceptedAt: acceptedAt
        )
    }

    static func receipt(
        for filingID: String, kind: ReceiptKind = .ceb312, status: String = "2", info: String = "ok", at receivedAt: Date = t0,
        invtNo: String? = nil, entryId: String? = nil
    ) -> ReceiptRecord {
        ReceiptRecord(
            kind: kind, messageGuid: filingID, businessNo: "ORDER-1", returnStatus: status, returnInfo: info,
            returnTime: "20250615120000000", raw: Data("<\(kind.rootElement) s=\"\(status)\"/>".utf8), receivedAt: receivedAt,
            channel: "http", invtNo: invtNo, entryId: entryId
        )
    }

    static func attempt(_ filingID: String, number: Int = 1, at: Date = t0, http: Int? = 200, error: String? = nil) -> AttemptRecord {
        AttemptRecord(filingID: filingID, number: number, startedAt: at, httpStatus: http, latencyMilliseconds: 12.5, error: error)
    }
}

/// The `YidanError` code `body` throws, or nil if it throws none.
func errorCode(_ body: () async throws -> Void) async -> YidanError.Code? {
    do {
        try await body()
        return nil
    } catch let error as YidanError {
        return error.code
    } catch {
        return YidanError.Code("not-a-yidan-error: \(type(of: error))")
    }
}

