import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanRates
import YidanRouter
import YidanStorePostgres

/// One of many delivery workers sharing a PostgreSQL store.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Deliver the shared PostgreSQL outbox as one of many workers, until stopped (SIGTERM/SIGINT).",
        discussion: """
        Start as many workers as you like, on as many machines, against one PostgreSQL \
        store. Each claims due filings with FOR UPDATE SKIP LOCKED, so no two send the same \
        filing at once; it renews the leases of the filings it is sending (a heartbeat every \
        third of --lease-seconds). When a worker dies, its leases run out and the others \
        pick its filings up and send them again with the same idempotency key.

        --authority-limit caps the filings in flight for one authority across ALL workers \
        (e.g. the gateway's allowance of parallel requests). A worker can take receipt \
        callbacks too (--receipts-port); give a receipt inbox folder (--inbox) to one worker \
        only: a folder has a single reader.

        Examples:
          yidan worker --store postgres://yidan@db:5432/yidan --gateway http://127.0.0.1:8088/dxp/messages
          yidan worker --store 'postgres://yidan@db/yidan?sslmode=require' --gateway https://gw.example/dxp/messages \\
            --authority-limit customs=8 --authority-limit tax=2 --receipts-port 8089
        """
    )

    @Option(name: .long, help: "The PostgreSQL store: postgres://user[:password]@host[:port]/database[?schema=name&sslmode=disable|prefer|require]. Env: YIDAN_STORE.")
    var store: String = ProcessInfo.processInfo.environment["YIDAN_STORE"] ?? ""

    @OptionGroup var delivery: DeliveryOptions

    @Option(name: .long, help: "Most filings of one authority in flight across all workers, as authority=count (customs, tax, fx); repeatable.")
    var authorityLimit: [String] = []

    @Option(name: .long, help: "Seconds between outbox polls when idle (other processes add work this worker is not woken for).")
    var pollSeconds: Double = 1

    @Option(name: .long, help: "This worker's name in leases and attempts (default: host-pid-random).")
    var workerId: String?

    @OptionGroup var filingOptions: FilingOptions

    func validate() throws {
        guard case .postgres = try StoreLocation(store) else {
            throw ValidationError("--store: a worker needs a postgres:// URL (an SQLite file has one owner: use `yidan run`)")
        }
        guard pollSeconds > 0 else {
            throw ValidationError("--poll-seconds must be positive")
        }
        _ = try limits()
    }

    /// `--authority-limit customs=4` → [.customs: 4].
    func limits() throws -> [Authority: Int] {
        var limits: [Authority: Int] = [:]
        for text in authorityLimit {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let authority = Authority(rawValue: parts[0]), let count = Int(parts[1]), count > 0 else {
                throw ValidationError("--authority-limit: \"\(text)\" must be customs=N, tax=N or fx=N with N > 0")
            }
            limits[authority] = count
        }
        return limits
    }

    func run() async throws {
        let logger = delivery.logger(label: "yidan.worker")
        var options = PostgresFilingStore.Options(authorityLimits: try limits(), maximumConnections: delivery.maxInFlight + 4)
        if let workerId { options.workerID = workerId }
        guard case let .postgres(location) = try StoreLocation(store) else {
            throw ValidationError("--store: a worker needs a postgres:// URL")
        }
        let postgres = try await PostgresFilingStore.open(location, options: options, logger: logger)
        defer { postgres.close() }
        var environment = try YidanEnvironment(store: StoreLocation.sealed(postgres), mappingsPath: filingOptions.mappings, signing: try filingOptions.signing())
        environment.exchangeRates = try delivery.exchangeRates()
        let settings = try delivery.settings(pollInterval: .milliseconds(Int64(pollSeconds * 1000)))
        let lease = settings.lease
        let runtime = try RouterRuntime(environment: environment, settings: settings, logger: logger)
        logger.info("worker started", metadata: ["worker": "\(options.workerID)", "store": "\(location.redacted)"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await runtime.run() }
            group.addTask { await Self.heartbeat(postgres, lease: lease, logger: logger) }
            // The runtime ends on SIGTERM/SIGINT (after its requests in flight); the heartbeat goes with it.
            try await group.next()
            group.cancelAll()
        }
        logger.info("worker stopped", metadata: ["worker": "\(options.workerID)"])
    }

    /// Every third of the lease, moves this worker's live leases a full lease
    /// ahead, so a slow delivery is not taken over while this worker lives.
    /// A failed beat is logged and retried at the next; the leases still hold
    /// for two more beats.
    static func heartbeat(_ store: PostgresFilingStore, lease: Duration, logger: Logger) async {
        let interval = lease / 3
        let leaseSeconds = Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = Date()
            do {
                let extended = try await store.extendLeases(until: now + leaseSeconds, now: now)
                if extended > 0 { logger.debug("leases extended", metadata: ["count": "\(extended)"]) }
            } catch {
                logger.warning("lease heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
