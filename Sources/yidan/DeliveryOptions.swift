import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanRates
import YidanRouter

/// What every delivering process (`yidan run`, `yidan worker`) is told:
/// where the authorities are, how receipts come back, and how hard to try.
struct DeliveryOptions: ParsableArguments {
    @Option(name: .long, help: "The gateway's message endpoint (http or https).")
    var gateway: String

    @Option(name: .long, help: "The tax authority's filing endpoint (default: --gateway's scheme://host:port/tax/filings).")
    var taxEndpoint: String?

    @Option(name: .long, help: "The FX administration's filing endpoint (default: --gateway's scheme://host:port/fx/filings).")
    var fxEndpoint: String?

    @Option(name: .long, help: "Listen for receipt callbacks (POST /v1/receipts) on this port.")
    var receiptsPort: Int?

    @Option(name: .long, help: "Address the receipt listener binds.")
    var receiptsHost: String = "127.0.0.1"

    @Option(name: .long, help: "Take receipt files from this folder (one process per folder).")
    var inbox: String?

    @Option(name: .long, help: "Most deliveries in flight at once in this process.")
    var maxInFlight: Int = 8

    @Option(name: .long, help: "Seconds a claimed filing stays this process's before another may resend it.")
    var leaseSeconds: Int = 60

    @Option(name: .long, help: "Seconds one request may take before it counts as failed and is retried.")
    var timeoutSeconds: Int = 30

    @Option(name: .long, help: "Give up on a filing (status dead) after this many attempts.")
    var maxAttempts: Int = 10

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(name: .long, parsing: .upToNextOption, help: "Exchange-rate files (ECB eurofxref XML or customs monthly CSV, Mappings/rates/README.md) for the RMB amount of export FX records; an export in a foreign currency cannot be recorded without them (RMB exports need none).")
    var rates: [String] = []

    func validate() throws {
        for (name, value) in [("--gateway", Optional(gateway)), ("--tax-endpoint", taxEndpoint), ("--fx-endpoint", fxEndpoint)] {
            guard let value else { continue }
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ValidationError("\(name): \"\(value)\" must be an http:// or https:// URL")
            }
        }
        if taxEndpoint == nil || fxEndpoint == nil, RunSettings.defaultEndpoint(for: .tax, gatewayURL: gateway) == nil {
            throw ValidationError("--gateway: \"\(gateway)\" has no host to derive the tax and FX endpoints from; give --tax-endpoint and --fx-endpoint")
        }
        guard maxAttempts > 0, maxInFlight > 0, leaseSeconds > 0, timeoutSeconds > 0 else {
            throw ValidationError("--max-attempts, --max-in-flight, --lease-seconds and --timeout-seconds must be positive")
        }
        guard leaseSeconds > timeoutSeconds else {
            throw ValidationError("--lease-seconds (\(leaseSeconds)) must exceed --timeout-seconds (\(timeoutSeconds)), or a slow request could be sent twice")
        }
    }

    func logger(label: String) -> Logger {
        CLILogging.logger(label: label, level: logLevel)
    }

    /// The exchange rates of `--rates`, nil when none were given.
    func exchangeRates() throws -> ExchangeRates? {
        rates.isEmpty ? nil : try ExchangeRates.load(rates.map { URL(fileURLWithPath: $0) })
    }

    /// `authorityLimits`: `yidan run`'s per-authority lanes (`RunSettings.authorityLimits(parsing:)`).
    func settings(pollInterval: Duration = .seconds(1), authorityLimits: [String] = []) throws -> RunSettings {
        var policy = RetryPolicy.standard
        policy.maxAttempts = maxAttempts
        return RunSettings(
            gatewayURL: gateway, taxEndpoint: taxEndpoint, fxEndpoint: fxEndpoint, receiptHost: receiptsHost,
            receiptPort: receiptsPort, inboxDirectory: inbox.map { URL(fileURLWithPath: $0, isDirectory: true) },
            maxInFlight: maxInFlight, pollInterval: pollInterval, lease: .seconds(leaseSeconds), retryPolicy: policy,
            requestTimeout: .seconds(timeoutSeconds), authorityLimits: try RunSettings.authorityLimits(parsing: authorityLimits)
        )
    }
}
