public import Foundation
public import Logging
import PostgresNIO
public import YidanCore
public import YidanStore

/// The `FilingStore` on PostgreSQL, shared by any number of `yidan worker`
/// processes on any number of machines.
///
/// The same semantics as `SQLiteFilingStore`, with what many writers need:
/// - every write method is one transaction; rows it decides on are locked
///   (`SELECT … FOR UPDATE`), so two workers never act on the same stale status;
/// - `claimDue` locks due rows with `FOR UPDATE SKIP LOCKED`: concurrent
///   claims take disjoint filings without waiting for each other;
/// - each claim records the claiming worker (`workerID`); `extendLeases`
///   (the worker's heartbeat) keeps its own leases alive while it sends, and a
///   dead worker's leases run out and are rescued by the others;
/// - optional per-authority limits on filings in flight hold across workers
///   (claims then take a transaction-scoped advisory lock and count).
///
/// The connection pool (`PostgresClient`) runs in a task the store owns from
/// `open` to `close`.
public final class PostgresFilingStore: FilingStore, Sendable {
    public struct Options: Sendable {
        /// Names this process in leases and attempts.
        public var workerID: String
        /// Most filings `sending` at once per authority, across every worker
        /// sharing the database. Authorities absent are unlimited.
        public var authorityLimits: [Authority: Int]
        /// Connections this process keeps at most.
        public var maximumConnections: Int

        public init(workerID: String = Options.defaultWorkerID(), authorityLimits: [Authority: Int] = [:], maximumConnections: Int = 8) {
            self.workerID = workerID
            self.authorityLimits = authorityLimits
            self.maximumConnections = maximumConnections
        }

        /// host name + process id + a random suffix: unique per process, readable in the table.
        public static func defaultWorkerID() -> String {
            "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        }
    }

    public let location: PostgresLocation
    public let options: Options
    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    private init(location: PostgresLocation, options: Options, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.location = location
        self.options = options
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// Connects, creates the schema if the URL names one, and runs the
    /// migrations this database has not seen (safe when many workers start at once).
    public static func open(
        _ location: PostgresLocation, options: Options = Options(), logger: Logger = Logger(label: "yidan.store.postgres")
    ) async throws -> PostgresFilingStore {
        var configuration = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.username, password: location.password,
            database: location.database, tls: Self.tls(location.tls)
        )
        configuration.options.maximumConnections = max(1, options.maximumConnections)
        if let schema = location.schema {
            // A run-time parameter in the startup packet: every pooled connection starts in the schema.
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        let store = PostgresFilingStore(location: location, options: options, client: client, runner: runner, logger: logger)
        do {
            let ran = try await client.withConnection { connection in
                try await PostgresMigrations.migrate(connection, schema: location.schema, logger: logger)
            }
            if !ran.isEmpty {
                logger.info("store migrated", metadata: ["store": "\(location.redacted)", "steps": "\(ran.joined(separator: ","))"])
            }
        } catch {
            store.close()
            throw Self.storeError(error, "opening the store at \(location.redacted)")
        }
        return store
    }

    /// Closes the pool; calls made afterwards fail.
    public func close() {
        runner.cancel()
    }

    deinit {
        runner.cancel()
    }

    private static func tls(_ mode: PostgresLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    // MARK: - Transactions

    /// One transaction on one pooled connection: committed if `body` returns,
    /// rolled back if it throws. Errors become `YidanError`s naming `action`.
    @discardableResult
    func transaction<T: Sendable>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let logger = self.logger
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    // A failed ROLLBACK means the connection is gone, which ends the transaction too.
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw Self.storeError(error, action)
        }
    }

    /// A read outside any explicit transaction (each statement sees every committed write).
    func read<T: Sendable>(_ action: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw Self.storeError(error, action)
        }
    }

    /// Keeps `YidanError`s and cancellation; maps unique violations to
    /// `.duplicate`; anything else becomes `.store` with the SQLSTATE only
    /// (the cause, for debugging, may hold SQL and values).
    static func storeError(_ error: any Error, _ action: String) -> any Error {
        if error is YidanError || error is CancellationError { return error }
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState]
            if state == "23505" {
                return YidanError(.duplicate, "\(action): an id or idempotency key is already stored", cause: error)
            }
            return YidanError(.store, "\(action) failed (PostgreSQL \(state.map { "SQLSTATE \($0)" } ?? "\(error.code)"))", cause: error)
        }
        return YidanError(.store, "\(action) failed", cause: error)
    }

    // MARK: - Accepting orders

    public func accept(_ submission: OrderSubmission) async throws -> AcceptOutcome {
        try await transaction("accepting an order") { connection in
            let now = submission.acceptedAt.timeIntervalSince1970
            // ON CONFLICT waits for a concurrent accept of the same order to
            // finish, then reports it as known: a re-submission, not an error.
            let inserted = try await connection.query(
                """
                INSERT INTO orders (order_no, platform, order_json, accepted_at, merchant, agent)
                VALUES (\(submission.orderNo), \(submission.platform), \(submission.orderJSON), \(now),
                        \(submission.merchant), \(submission.agent))
                ON CONFLICT (order_no) DO NOTHING RETURNING order_no
                """,
                logger: logger
            ).collect()
            if inserted.isEmpty {
                return .alreadyAccepted(filingIDs: try await Self.filingIDs(orderNo: submission.orderNo, connection, logger))
            }
            if let use = submission.allowance {
                guard use.amount >= 0 else {
                    throw YidanError(.invalidOrder, "allowance use must not be negative (\(Money.format(use.amount)))")
                }
                try await Self.adjustAllowance(use, connection, logger)
            }
            try await Self.insertFilings(submission.filings, orderNo: submission.orderNo, at: submission.acceptedAt, connection, logger)
            return .accepted(filingIDs: submission.filings.map(\.id))
        }
    }

    public func allowanceUsed(buyerKey: String, year: Int) async throws -> Decimal {
        try await read("reading an allowance") { connection in
            let rows = try await connection.query(
                "SELECT used FROM buyer_allowance WHERE buyer_key = \(buyerKey) AND year = \(year)", logger: logger
            ).collect()
            return try rows.first.map { try $0.decode(Decimal.self) } ?? 0
        }
    }

    /// Moves the buyer's annual total by `delta.amount` inside the caller's
    /// transaction, the row locked so concurrent orders of one buyer queue up:
    /// a positive amount is checked against the limit, a negative one restores
    /// the total, never below zero. Errors state amounts only.
    static func adjustAllowance(_ delta: AllowanceUse, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO buyer_allowance (buyer_key, year, used) VALUES (\(delta.buyerKey), \(delta.year), 0)
            ON CONFLICT (buyer_key, year) DO NOTHING
            """,
            logger: logger
        )
        let rows = try await connection.query(
            "SELECT used FROM buyer_allowance WHERE buyer_key = \(delta.buyerKey) AND year = \(delta.year) FOR UPDATE",
            logger: logger
        ).collect()
        let used = try rows.first.map { try $0.decode(Decimal.self) } ?? 0
        var total = used + delta.amount
        if delta.amount > 0, total > delta.limit {
            throw YidanError(
                .notEligible,
                "annual allowance for \(delta.year) exceeded: already used \(Money.format(used)) + "
                    + "\(Money.format(delta.amount)) = \(Money.format(total)) > limit \(Money.format(delta.limit))"
            )
        }
        if total < 0 { total = 0 }
        try await connection.query(
            "UPDATE buyer_allowance SET used = \(total) WHERE buyer_key = \(delta.buyerKey) AND year = \(delta.year)",
            logger: logger
        )
    }

    /// Inserts filings `queued` and due at `at`.
    static func insertFilings(
        _ filings: [PreparedFiling], orderNo: String, at: Date, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let now = at.timeIntervalSince1970
        for filing in filings {
            try await connection.query(
                """
                INSERT INTO filings (id, order_no, kind, status, payload, idempotency_key, attempts,
                                     next_attempt_at, created_at, updated_at, purpose, supersedes)
                VALUES (\(filing.id), \(orderNo), \(filing.kind.rawValue), \(FilingStatus.queued.rawValue), \(filing.payload),
                        \(filing.idempotencyKey), 0, \(now), \(now), \(now), \(filing.purpose.rawValue), \(filing.supersedes))
                """,
                logger: logger
            )
        }
        try await logMoves(filings.map { StatusMove(filingID: $0.id, from: nil, to: .queued) }, at: at, cause: .stored, connection, logger)
        try await auditAccepted(filings, orderNo: orderNo, at: at, connection, logger)
    }

    static func filingIDs(orderNo: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await connection.query(
            "SELECT id FROM filings WHERE order_no = \(orderNo) ORDER BY seq", logger: logger
        ).decode(String.self) {
            ids.append(id)
        }
        return ids
    }
}
