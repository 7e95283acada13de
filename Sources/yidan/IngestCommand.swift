import ArgumentParser
import Foundation
import YidanCore
import YidanIngest
import YidanRouter

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "File many orders: folders, JSON Lines, CSV exports or standard input, streamed.",
        discussion: """
        Each PATH is a file or a folder (its .jsonl, .json and .csv files, sorted by name). \
        .jsonl holds one order per line; .json one order or a list of orders; .csv the project's \
        flat CSV (one row per item, header cells are JSON pointers such as /orderNo and \
        /items/-/sku; see README "Ingest many orders"); - reads JSON Lines from standard input.

        Platform payloads (Shopify, WooCommerce, … one payload per .json file or JSONL line) are \
        read when the merchant's --profile and --catalog are given: the platform is detected \
        from each payload's shape (--platform forces one), joined with the catalog, profile, \
        identities and exchange rates, and filed in CNY. The project's own order JSON can be \
        mixed in.

        Every valid order is filed as by `yidan submit` (an order number accepted before is \
        reported "already accepted" and filed nothing twice). Refused orders are listed with \
        their location (file:line), order number and every problem (JSON pointer, masked value, \
        rule) in --report (JSON) and at the end of the output.

        Exit status: 0 every order accepted; 65 some order refused; 66 a PATH does not exist \
        or is not an order file; 73 the report cannot be created; 74 an input could not be read; \
        1 other failures (store, configuration).

        Examples:
          yidan ingest orders.jsonl
          yidan ingest exports/ --dry-run --report refused.json
          gunzip -c orders.jsonl.gz | yidan ingest - --progress lines
          yidan ingest shopify-export/ --profile profile.yaml --catalog catalog.csv --rates eurofxref.xml
        """
    )

    @Argument(help: "Order files or folders (.jsonl, .json, .csv), or - for JSON Lines on standard input.")
    var paths: [String]

    @Flag(name: .long, help: "Normalize, compute tax, map, sign and validate every order, store nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Only read and validate the orders' fields (no tax, mapping or store).")
    var validateOnly = false

    @Option(name: .long, help: "Where to write the JSON report of refused orders (default: yidan-ingest-report.json beside the store).")
    var report: String?

    @Option(name: .long, help: "Also write the refused orders as a readable table to this file.")
    var reportTable: String?

    @Option(name: .long, help: "Orders prepared at the same time (default: twice the cores).")
    var jobs: Int?

    @Option(name: .long, help: "Progress on stderr: auto (a live line on a terminal, plain lines otherwise), bar, lines or none.")
    var progress: IngestProgress.Style = .auto

    @Option(name: .long, help: "With plain-line progress, print a line every this many orders (and every 10 s).")
    var progressEvery: Int = 1000

    @Flag(name: .long, help: "Show, for the one order in the given file(s), every normalized field, its value and where it came from; file nothing.")
    var explain = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions
    @OptionGroup(title: "Platform payloads") var platformOptions: IngestPlatformOptions

    func validate() throws {
        if dryRun && validateOnly { throw ValidationError("--dry-run and --validate-only exclude each other") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if progressEvery < 1 { throw ValidationError("--progress-every must be at least 1") }
    }

    var mode: BatchIntake.Mode { validateOnly ? .validateOnly : dryRun ? .dryRun : .accept }

    func run() async throws {
        if explain {
            try IngestExplain(files: paths, platformOptions: platformOptions, mappings: filingOptions.mappings).run()
            return
        }
        let sources: OrderSourceList
        do {
            sources = try OrderSourceList(paths: paths)
        } catch let error as YidanError {
            throw CLIFailure(error.message, exitCode: error.code == .notFound ? 66 : 74)
        }
        let workspace = try IngestWorkspace(storePath: storeOptions.store, mode: mode)
        defer { workspace.cleanUp() }
        var environment: YidanEnvironment
        do {
            environment = try YidanEnvironment(
                storePath: workspace.storePath, mappingsPath: filingOptions.mappings, signing: try filingOptions.signing()
            )
            environment.exchangeRates = try platformOptions.intakeRates()  // a foreign-currency export needs its rate
        } catch let error as YidanError {
            throw CLIFailure(error.description)
        }
        let normalizer = try platformOptions.normalizer(mappingsDirectory: environment.mappingsDirectory)
        let reportURL = URL(fileURLWithPath: report ?? URL(fileURLWithPath: storeOptions.store)
            .deletingLastPathComponent().appendingPathComponent("yidan-ingest-report.json").path)
        let writer = try IngestReport(
            path: reportURL, tablePath: reportTable.map { URL(fileURLWithPath: $0) },
            mode: modeName, inputs: paths
        )
        let progress = IngestProgress(style: progress, every: progressEvery, dryRun: mode != .accept)
        let batch = BatchIntake(
            intake: environment.intake, normalizer: normalizer, mode: mode,
            maxInFlight: jobs ?? BatchIntake.defaultInFlight
        )

        var counts = BatchCounts()
        var failure: (message: String, code: Int32)?
        do {
            _ = try await batch.run(sources) { outcome in
                counts.add(outcome)
                progress.record(outcome)
                try writer.record(outcome)
            }
        } catch let error as CLIFailure {
            failure = (error.message, error.exitCode)
        } catch let error as YidanError {
            failure = (error.description, error.code == .unreadableInput ? 74 : 1)
        }
        progress.finish()
        let seconds = IngestProgress.seconds(progress.elapsed)
        try writer.finish(counts: counts, seconds: seconds, failure: failure?.message)
        print(IngestSummary.render(counts: counts, seconds: seconds, mode: mode, report: writer))
        if let failure {
            throw CLIFailure("stopped after \(counts.orders) orders: \(failure.message)", exitCode: failure.code)
        }
        if counts.refused > 0 {
            throw CLIFailure("\(counts.refused) of \(counts.orders) orders refused; every reason is in \(writer.path.path)", exitCode: 65)
        }
    }

    var modeName: String {
        switch mode {
        case .accept: "accept"
        case .dryRun: "dry-run"
        case .validateOnly: "validate-only"
        }
    }
}

extension IngestProgress.Style: ExpressibleByArgument {}

/// Which store a run uses. A dry run (or validate-only run) reads the real
/// store when it exists (already accepted orders, buyers' allowance used) and
/// never writes to it; when there is none, it uses a throwaway store in a
/// temporary folder, so checking orders never creates a store file.
struct IngestWorkspace {
    let storePath: String
    private let temporaryFolder: URL?

    init(storePath: String, mode: BatchIntake.Mode) throws {
        if mode == .accept || FileManager.default.fileExists(atPath: storePath) {
            self.storePath = storePath
            temporaryFolder = nil
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-dry-run-\(UUID().uuidString.prefix(8))")
            self.storePath = folder.appendingPathComponent("scratch.sqlite").path
            temporaryFolder = folder
        }
    }

    func cleanUp() {
        if let temporaryFolder { try? FileManager.default.removeItem(at: temporaryFolder) }
    }
}

/// The stdout summary of `ingest`, then the first refusals as a table.
enum IngestSummary {
    static func render(counts: BatchCounts, seconds: Double, mode: BatchIntake.Mode, report: IngestReport) -> String {
        let rate = seconds > 0 ? String(format: "%.1f", Double(counts.orders) / seconds) : "-"
        var head: String
        switch mode {
        case .accept:
            head = "ingested \(counts.orders) order\(counts.orders == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s (\(rate)/s): "
                + "\(counts.accepted) accepted, \(counts.alreadyAccepted) already accepted, \(counts.refused) refused"
        case .dryRun:
            head = "dry run, nothing stored: \(counts.orders) order\(counts.orders == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s (\(rate)/s): "
                + "\(counts.checked) would be accepted, \(counts.alreadyAccepted) already accepted, \(counts.refused) refused"
        case .validateOnly:
            head = "validated \(counts.orders) order\(counts.orders == 1 ? "" : "s") in \(String(format: "%.1f", seconds)) s (\(rate)/s): "
                + "\(counts.checked) valid, \(counts.refused) refused"
        }
        var lines = [head, "report: \(report.path.path)"]
        if counts.refused > 0 {
            lines.append("")
            lines.append(report.printedTable().trimmingCharacters(in: .newlines))
            if counts.refused > report.printed.count {
                lines.append("… and \(counts.refused - report.printed.count) more refused orders in the report")
            }
        }
        return lines.joined(separator: "\n")
    }
}
