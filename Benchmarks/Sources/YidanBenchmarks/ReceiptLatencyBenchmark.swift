import Foundation
import Logging
import YidanCore
import YidanIngest
import YidanRouter
import YidanStore

/// Accept → receipt 2: orders arrive at a steady rate and are filed through
/// `RouterRuntime.submit` (tax, map, sign, validate, durable commit); the
/// dispatcher delivers the six filings to the simulator over loopback, and the
/// simulator answers each with its first receipt (returnStatus 2: "being
/// declared" for customs, "accepted" for the tax and FX filings) by callback.
/// Latency per filing = the receipt's arrival in the store − the filing's
/// creation at accept, both times stamped by yidan.
///
/// The simulator's receipt steps are 1 ms apart, so the figure is yidan's own
/// path (commit, claim, delivery, receipt intake), not an authority's delay.
struct ReceiptLatencyBenchmark {
    let orders: Int
    let ordersPerSecond: Int

    func run(into report: BenchReport) async throws {
        let folder = try BenchPaths.temporaryFolder("receipt-latency")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: BenchPaths.mappings.path)
        let generator = try OrderGenerator(taxRates: environment.taxRates)
        var logger = Logger(label: "yidan-bench")
        logger.logLevel = .error
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(1), settings: { settings in
            settings.maxInFlight = 32
            settings.pollInterval = .milliseconds(20)
        }, logger: logger)
        defer { Task { await deployment.stop() } }

        FileHandle.standardError.write(Data("receipt latency: \(orders) orders at \(ordersPerSecond)/s\n".utf8))
        // Open loop: one order every 1/rate s, whatever the previous ones are doing.
        let runtime = deployment.runtime
        let json = try (0..<orders).map { NormalizedOrderJSON.encode(try generator.order(4_000_000 + $0)) }
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(ordersPerSecond))
        let clock = ContinuousClock()
        let begin = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, body) in json.enumerated() {
                try await clock.sleep(until: begin + interval * index)
                group.addTask { _ = try await runtime.submit(json: body) }
            }
            try await group.waitForAll()
        }

        let filings = try await environment.store.filings(status: nil, limit: orders * 6 + 10)
        guard filings.count == orders * 6 else { throw BenchError("receipt latency: \(filings.count) filings for \(orders) orders") }
        let deadline = clock.now + .seconds(120)
        var latencies: [Double] = []
        while clock.now < deadline {
            latencies = []
            for filing in filings {
                guard let first = try await environment.store.receipts(filingID: filing.id).first(where: { $0.returnStatus == "2" }) else { break }
                latencies.append(first.receivedAt.timeIntervalSince(filing.createdAt))
            }
            if latencies.count == filings.count { break }
            try await Task.sleep(for: .milliseconds(200))  // polling the store for the last receipts
        }
        guard latencies.count == filings.count else {
            throw BenchError("receipt latency: only \(latencies.count) of \(filings.count) filings had receipt 2 after 120 s")
        }
        let figures = Latencies(latencies)
        let detail = "\(filings.count) filings of \(orders) orders arriving at \(ordersPerSecond)/s: accept (commit) → its first receipt (returnStatus 2) stored"
        report.add("dispatch.accept_to_receipt2_p50", figures.percentile(50), "ms", detail)
        report.add("dispatch.accept_to_receipt2_p99", figures.percentile(99), "ms", "the same, 99th percentile")
    }
}
