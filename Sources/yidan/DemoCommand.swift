import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanMapping
import YidanRates
import YidanRouter
import YidanSimulator
import YidanStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline on this machine: simulator, example orders, delivery, receipts.",
        discussion: """
        Starts the built-in authority simulator on a loopback port, submits every order in \
        Fixtures/orders/ (and export orders in Fixtures/orders/export/), delivers the filings of each through libcurl (the simulator \
        refuses the first two requests with 503 so you see retries), takes the receipts by \
        HTTP callback and prints each filing's status as they arrive. The store is a new \
        SQLite file whose path is printed, so `yidan status --store PATH ORDER` works after.

        Examples:
          yidan demo
          yidan demo --orders my-orders/ --step-ms 50 --no-faults
        """
    )

    @Option(name: .long, help: "Folder of normalized order JSON files (default: Fixtures/orders).")
    var orders: String?

    @Option(name: .long, help: "Store file (default: a new file in a temporary folder).")
    var store: String?

    @Option(name: .long, help: "Milliseconds the simulator waits between receipt steps.")
    var stepMs: Int = 300

    @Option(name: .long, help: "Give up waiting after this many seconds.")
    var timeout: Int = 120

    @Flag(name: .long, help: "Do not inject the two 503 answers.")
    var noFaults = false

    @Option(name: .long, help: "The Mappings/ folder.")
    var mappings: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Exchange-rate files for export FX records (default: the example rates in Fixtures/merchant/rates/example-export-rates-2026-11.csv).")
    var rates: [String] = []

    @Option(name: .long, help: "Log level for yidan's own log lines on stderr.")
    var logLevel: String = "error"

    func run() async throws {
        let logger = CLILogging.logger(label: "yidan", level: logLevel)
        let directory = try MappingCatalog.locate(explicit: mappings)
        let ordersFolder = orders.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? directory.deletingLastPathComponent().appendingPathComponent("Fixtures/orders", isDirectory: true)
        let storePath = try store ?? Self.freshStorePath()

        var environment = try YidanEnvironment(storePath: storePath, mappingsPath: directory.path)
        // The demo's export orders are in USD and EUR: their FX records need rates (example values, not official).
        let rateFiles = rates.isEmpty
            ? [directory.deletingLastPathComponent().appendingPathComponent("Fixtures/merchant/rates/example-export-rates-2026-11.csv")]
            : rates.map { URL(fileURLWithPath: $0) }
        environment.exchangeRates = try ExchangeRates.load(rateFiles)
        let session = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(stepMs),
            faults: noFaults ? .none : FaultPlan(failNext: 2, failStatus: 503, retryAfterSeconds: 1),
            taxRates: environment.taxRates,  // customs bills each release (CEB816), reconciled on arrival
            logger: logger
        )
        print("yidan demo")
        print("  store      \(storePath)")
        print("  simulator  \(session.gatewayURL)  (receipts back to \(session.callbackURL))")
        print("")

        var submitted: [String] = []
        for file in try Self.orderFiles(in: ordersFolder) {
            let name = String(file.path.dropFirst(ordersFolder.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            do {
                let receipt = try await session.runtime.submit(json: Data(contentsOf: file))
                submitted.append(receipt.orderNo)
                print("submitted \(name): \(receipt.orderNo), tax \(Money.format(receipt.taxTotal, minScale: 2)) CNY, \(receipt.filings.count) filings")
            } catch let failure as ValidationFailure {
                print("refused \(name): \(failure.description)")
            } catch let error as YidanError {
                print("refused \(name): \(error.description)")
            }
        }
        print("")

        let watcher = DemoProgress(store: environment.store, orderNos: submitted)
        let finished = await watcher.follow(timeout: .seconds(timeout))
        await watcher.awaitTaxBills(timeout: .seconds(5))
        print("")
        print(try await watcher.summary())
        let stats = await session.simulator.stats()
        print("")
        print("customs gateway: \(stats.requestsReceived) requests, \(stats.messagesAccepted) messages applied once, \(stats.duplicatesRecognised) duplicates recognised")
        for (name, desk) in stats.authorities.sorted(by: { $0.key > $1.key }) {
            print("\(name) desk: \(desk.requestsReceived) requests, \(desk.filingsAccepted) filings applied once, \(desk.duplicatesRecognised) duplicates recognised")
        }
        print("faults injected: \(stats.faultsInjected); receipts sent: \(stats.receiptsSent)")
        await session.stop()
        if !finished {
            throw CLIFailure("not every filing finished within \(timeout) s", exitCode: 1)
        }
    }

    static func freshStorePath() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-demo-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("yidan.sqlite").path
    }

    static func orderFiles(in folder: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw CLIFailure("no .json orders in \(folder.path)") }
        // Export orders (CEB303/403/505/603) sit one folder down, e.g. Fixtures/orders/export/.
        let exportFolder = folder.appendingPathComponent("export", isDirectory: true)
        let exports = ((try? FileManager.default.contentsOfDirectory(atPath: exportFolder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return names.map { folder.appendingPathComponent($0) } + exports.map { exportFolder.appendingPathComponent($0) }
    }
}
