import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import YidanCore
import YidanRates
import YidanRouter
import YidanServer
import YidanStore

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API, the broker desk and /metrics together with delivery and receipt intake.",
        discussion: """
        One process, one service group: the API server (merchant API /v1/orders, broker API \
        /v1/filings and /v1/stream, /v1/receipts, /metrics, the desk at /), the dispatcher and \
        the receipt listener/inbox. Stopping (SIGTERM/SIGINT) finishes requests in flight.

        Every API call needs a key (`yidan keys add`), sent as `Authorization: Bearer KEY`. \
        The desk signs in once with /?key=KEY or its login form and keeps the key in an \
        HttpOnly cookie. The API is described in docs/openapi.yaml.

        --simulator also starts the built-in authority simulator on a loopback port and \
        delivers to it, so a fresh machine can try everything; if the store has no keys yet \
        it creates an admin key and prints it once.

        Examples:
          yidan serve --simulator
          yidan serve --port 8080 --gateway http://gw.example/dxp/messages --receipts-port 8089 --deadline 45
          yidan serve --host 0.0.0.0 --gateway http://127.0.0.1:8088/dxp/messages --inbox /var/spool/yidan/inbox
        """
    )

    @Option(name: .long, help: "Address the API binds.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port the API listens on.")
    var port: Int = 8080

    @Flag(name: .long, help: "Also run the built-in authority simulator and deliver to it.")
    var simulator = false

    @Option(name: .long, help: "The gateway's message endpoint (required without --simulator).")
    var gateway: String?

    @Option(name: .long, help: "The tax authority's filing endpoint (default: --gateway's scheme://host:port/tax/filings).")
    var taxEndpoint: String?

    @Option(name: .long, help: "The FX administration's filing endpoint (default: --gateway's scheme://host:port/fx/filings).")
    var fxEndpoint: String?

    @Option(name: .long, help: "Also take unauthenticated receipt callbacks on this loopback port (as `yidan run`).")
    var receiptsPort: Int?

    @Option(name: .long, help: "Take receipt files from this folder.")
    var inbox: String?

    @Option(name: .long, help: "Minutes after which a filing without a final receipt is stuck (highlighted on the desk, counted in /metrics).")
    var deadline: Int = 30

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions
    @OptionGroup var platformOptions: IngestPlatformOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535") }
        guard deadline > 0 else { throw ValidationError("--deadline must be a positive number of minutes") }
        if !simulator {
            guard let gateway, gateway.hasPrefix("http://") || gateway.hasPrefix("https://") else {
                throw ValidationError("give --gateway URL (http:// or https://), or --simulator to try yidan against the built-in simulator")
            }
            guard receiptsPort != nil || inbox != nil else {
                throw ValidationError("give --receipts-port, --inbox or both: receipts must reach yidan somehow (or --simulator)")
            }
        }
    }

    func run() async throws {
        let logger = CLILogging.logger(label: "yidan", level: logLevel)
        _ = ServerMetrics.registry  // bootstrap swift-metrics before any service records
        var environment = try await storeOptions.environment(filing: filingOptions)
        // --rates (IngestPlatformOptions) also gives export FX records their RMB amounts.
        if !platformOptions.rates.isEmpty {
            environment.exchangeRates = try ExchangeRates.load(platformOptions.rates.map { URL(fileURLWithPath: $0) })
        }
        guard let store = environment.store as? any BrokerStore & AccessStore else {
            throw CLIFailure("the store does not support the broker desk and API keys")
        }
        let normalizer = try platformOptions.normalizer(mappingsDirectory: environment.mappingsDirectory)
        let settings = ServerSettings(host: host, port: port, deadline: .seconds(deadline * 60))
        // Provenance pages and event capture, kept in the same store file. They
        // live in SQLite only: with a PostgreSQL store the routes are left out
        // rather than creating a stray SQLite file named after the URL.
        let trace: TraceRoutes? = switch try storeOptions.location() {
        case let .sqlite(path): try TraceRoutes(storePath: path, mappingsDirectory: environment.mappingsDirectory)
        case .postgres: nil
        }

        if simulator {
            let session = try await EmbeddedDeployment.start(environment: environment, taxRates: environment.taxRates, logger: logger)
            try await Self.printFirstKey(store: store)
            let server = try APIServer(runtime: session.runtime, store: store, normalizer: normalizer, settings: settings, trace: trace)
            print("yidan serve: http://\(host):\(port)/  (simulator \(session.gatewayURL))")
            fflush(nil)  // the first key and the address, also when stdout is a file
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: server.application(logger: logger))], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
            ))
            do {
                try await group.run()
            } catch {
                await session.stop()
                throw error
            }
            await session.stop()
            return
        }

        guard let gateway else { throw ValidationError("--gateway is required without --simulator") }
        let runtime = try RouterRuntime(
            environment: environment,
            settings: RunSettings(
                gatewayURL: gateway, taxEndpoint: taxEndpoint, fxEndpoint: fxEndpoint, receiptPort: receiptsPort,
                inboxDirectory: inbox.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ),
            logger: logger
        )
        let server = try APIServer(runtime: runtime, store: store, normalizer: normalizer, settings: settings, trace: trace)
        print("yidan serve: http://\(host):\(port)/")
        fflush(nil)
        try await runtime.run(extraServices: [server.application(logger: logger)])
    }

    /// A fresh store tried with --simulator gets one admin key, printed once.
    static func printFirstKey(store: any AccessStore) async throws {
        guard try await store.apiKeys().isEmpty else { return }
        let key = APIKey.generate()
        _ = try await store.addAPIKey(hash: APIKey.hash(key), role: .admin, subject: "admin", merchants: [], label: "created by serve --simulator", at: Date())
        print("admin key (shown once): \(key)")
        print("  desk: open /?key=\(key)")
    }
}
