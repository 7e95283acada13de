import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanMapping
import YidanSimulator

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the built-in customs authority simulator (the data-exchange gateway) on its own.",
        discussion: """
        It takes DxpMsg envelopes on POST /dxp/messages, validates the CEB message, applies \
        customs rules (duplicate order numbers, the three-document match for inventories) and \
        plays out receipts to --callback and/or --inbox. GET /sim/stats shows its counters; \
        POST /sim/faults (JSON, e.g. {"failNext":2,"retryAfterSeconds":1}) injects faults.

        Examples:
          yidan sim --port 8088 --callback http://127.0.0.1:8089/v1/receipts
          yidan sim --port 8088 --inbox /tmp/yidan-inbox --step-ms 1000
        """
    )

    @Option(name: .long, help: "Port to listen on (loopback).")
    var port: Int = 8088

    @Option(name: .long, help: "POST receipts to this URL.")
    var callback: String?

    @Option(name: .long, help: "Write receipts as files into this folder.")
    var inbox: String?

    @Option(name: .long, help: "Milliseconds between receipt steps.")
    var stepMs: Int = 500

    @Option(name: .long, help: "The Mappings/ folder holding the schemas.")
    var mappings: String?

    @Option(name: .long, help: "Log level.")
    var logLevel: String = "info"

    func run() async throws {
        let logger = CLILogging.logger(label: "yidan.simulator", level: logLevel)
        let directory = try MappingCatalog.locate(explicit: mappings)
        var callbackURL: URL?
        if let callback {
            guard let url = URL(string: callback), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--callback: \"\(callback)\" must be an http:// or https:// URL")
            }
            callbackURL = url
        }
        let simulator = try AuthoritySimulator(
            configuration: SimulatorConfiguration(
                port: port, stepDelay: .milliseconds(stepMs), callbackURL: callbackURL,
                inboxDirectory: inbox.map { URL(fileURLWithPath: $0, isDirectory: true) },
                schemaURL: SimulatorConfiguration.importSchema(inMappings: directory),
                // Customs issues a tax bill (CEB816) after each import release, computed
                // with the project's rate table as yidan computes the tax it withholds.
                taxRates: try TaxRateTable(csv: String(contentsOf: directory.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
            ),
            logger: logger
        )
        let url = try await simulator.start()
        print("authority simulator listening: \(url.absoluteString)/dxp/messages (stats: \(url.absoluteString)/sim/stats)")
        await SignalWaiter.waitForTermination()
        await simulator.stop()
    }
}
