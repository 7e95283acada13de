import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanRates
import YidanRouter

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Deliver the outbox to customs, tax and FX and take receipts, until stopped (SIGTERM/SIGINT).",
        discussion: """
        Filings accepted by `yidan submit` (from any process sharing the store) are posted \
        with retries; receipts arrive as HTTP callbacks on --receipts-port and/or as files \
        in --inbox. Stopping waits for requests in flight; a crash loses nothing: filings \
        whose delivery was cut off are sent again with the same idempotency key.

        Customs messages go to --gateway in a DxpMsg envelope; tax and FX filings are \
        posted as their own XML to --tax-endpoint and --fx-endpoint, which default to \
        --gateway's scheme, host and port with the path /tax/filings and /fx/filings \
        (where `yidan sim` takes them).

        Examples:
          yidan run --gateway http://127.0.0.1:8088/dxp/messages --receipts-port 8089
          yidan run --gateway http://gw.example/dxp/messages --inbox /var/spool/yidan/inbox \\
            --tax-endpoint https://tax.example/filings --fx-endpoint https://fx.example/filings
          yidan run --gateway http://127.0.0.1:8088/dxp/messages --authority-limit tax:rate=5,failures=3,cool-down=20
        """
    )

    @Option(name: .long, help: "The gateway's message endpoint (http or https).")
    var gateway: String

    @Option(name: .long, help: "The tax authority's filing endpoint (default: --gateway's scheme://host:port/tax/filings).")
    var taxEndpoint: String?

    @Option(name: .long, help: "The FX administration's filing endpoint (default: --gateway's scheme://host:port/fx/filings).")
    var fxEndpoint: String?

    @Option(name: .long, help: "Listen for receipt callbacks (POST /v1/receipts) on this loopback port.")
    var receiptsPort: Int?

    @Option(name: .long, help: "Address the receipt listener binds.")
    var receiptsHost: String = "127.0.0.1"

    @Option(name: .long, help: "Take receipt files from this folder.")
    var inbox: String?

    @Option(name: .long, help: "Most deliveries in flight at once.")
    var maxInFlight: Int = 8

    @Option(name: .long, help: "One authority's own limits, e.g. tax:in-flight=2,rate=5,burst=5,failures=3,cool-down=20 (breaker: opens after `failures` in a row, probes after `cool-down` seconds); repeat per authority.")
    var authorityLimit: [String] = []

    @Option(name: .long, help: "Seconds a claimed filing stays ours before another worker may resend it.")
    var leaseSeconds: Int = 60

    @Option(name: .long, help: "Seconds one request may take before it counts as failed and is retried.")
    var timeoutSeconds: Int = 30

    @Option(name: .long, help: "Give up on a filing (status dead) after this many attempts.")
    var maxAttempts: Int = 10

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, parsing: .upToNextOption, help: "Exchange-rate files (ECB eurofxref XML or customs monthly CSV, Mappings/rates/README.md) for the RMB amount of export FX records; an export in a foreign currency cannot be recorded without them (RMB exports need none).")
    var rates: [String] = []

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func validate() throws {
        guard gateway.hasPrefix("http://") || gateway.hasPrefix("https://") else {
            throw ValidationError("--gateway: \"\(gateway)\" must be an http:// or https:// URL")
        }
        for (name, value) in [("--tax-endpoint", taxEndpoint), ("--fx-endpoint", fxEndpoint)] {
            guard let value else { continue }
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ValidationError("\(name): \"\(value)\" must be an http:// or https:// URL")
            }
        }
        if taxEndpoint == nil || fxEndpoint == nil, RunSettings.defaultEndpoint(for: .tax, gatewayURL: gateway) == nil {
            throw ValidationError("--gateway: \"\(gateway)\" has no host to derive the tax and FX endpoints from; give --tax-endpoint and --fx-endpoint")
        }
        guard receiptsPort != nil || inbox != nil else {
            throw ValidationError("give --receipts-port, --inbox or both: receipts must reach yidan somehow")
        }
        guard maxAttempts > 0, maxInFlight > 0, leaseSeconds > 0, timeoutSeconds > 0 else {
            throw ValidationError("--max-attempts, --max-in-flight, --lease-seconds and --timeout-seconds must be positive")
        }
        guard leaseSeconds > timeoutSeconds else {
            throw ValidationError("--lease-seconds (\(leaseSeconds)) must exceed --timeout-seconds (\(timeoutSeconds)), or a slow request could be sent twice by two workers")
        }
    }

    func run() async throws {
        let logger = CLILogging.logger(label: "yidan", level: logLevel)
        var environment = try YidanEnvironment(
            storePath: storeOptions.store, mappingsPath: filingOptions.mappings, signing: try filingOptions.signing()
        )
        if !rates.isEmpty {
            environment.exchangeRates = try ExchangeRates.load(rates.map { URL(fileURLWithPath: $0) })
        } else {
            logger.notice("no --rates given: export FX records (FX-EXPORT) of foreign-currency exports cannot be filed (an error names each one)")
        }
        var policy = RetryPolicy.standard
        policy.maxAttempts = maxAttempts
        let runtime = try RouterRuntime(
            environment: environment,
            settings: RunSettings(
                gatewayURL: gateway, taxEndpoint: taxEndpoint, fxEndpoint: fxEndpoint, receiptHost: receiptsHost, receiptPort: receiptsPort,
                inboxDirectory: inbox.map { URL(fileURLWithPath: $0, isDirectory: true) },
                maxInFlight: maxInFlight, lease: .seconds(leaseSeconds), retryPolicy: policy,
                requestTimeout: .seconds(timeoutSeconds),
                authorityLimits: try RunSettings.authorityLimits(parsing: authorityLimit)
            ),
            logger: logger
        )
        try await runtime.run()
    }
}
