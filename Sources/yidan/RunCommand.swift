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

    @OptionGroup var delivery: DeliveryOptions

    @Option(name: .long, help: "One authority's own limits, e.g. tax:in-flight=2,rate=5,burst=5,failures=3,cool-down=20 (breaker: opens after `failures` in a row, probes after `cool-down` seconds); repeat per authority.")
    var authorityLimit: [String] = []

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func validate() throws {
        guard delivery.receiptsPort != nil || delivery.inbox != nil else {
            throw ValidationError("give --receipts-port, --inbox or both: receipts must reach yidan somehow")
        }
        _ = try RunSettings.authorityLimits(parsing: authorityLimit)
    }

    func run() async throws {
        let logger = delivery.logger(label: "yidan")
        var environment = try YidanEnvironment(
            storePath: storeOptions.store, mappingsPath: filingOptions.mappings, signing: try filingOptions.signing()
        )
        environment.exchangeRates = try delivery.exchangeRates()
        if environment.exchangeRates == nil {
            logger.notice("no --rates given: export FX records (FX-EXPORT) of foreign-currency exports cannot be filed (an error names each one)")
        }
        let runtime = try RouterRuntime(
            environment: environment,
            settings: try delivery.settings(authorityLimits: authorityLimit),
            logger: logger
        )
        try await runtime.run()
    }
}
