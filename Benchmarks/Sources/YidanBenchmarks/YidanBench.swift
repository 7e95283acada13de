// yidan-bench: the benchmark suite (see Benchmarks/README.md).
import ArgumentParser
import Foundation

/// `yidan-bench [--short] [--json FILE] [benchmarks...]`: runs the suite and
/// prints one line per figure; figures are comparable only on the same machine
/// and commit, which the first line names.
@main
struct YidanBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yidan-bench",
        abstract: "Measure yidan: map, ingest, memory, accept (group commit; over HTTP), dispatch, trace.",
        discussion: """
        Build in release mode for figures worth recording (see Benchmarks/README.md); \
        --short runs every benchmark on a few hundred orders so CI can check they still run.

        Examples:
          swift build -c release --scratch-path .build-release --product yidan-bench
          .build-release/release/yidan-bench --json Benchmarks/results.json
          .build-release/release/yidan-bench map accept
          .build/debug/yidan-bench --short
        """
    )

    enum Benchmark: String, CaseIterable, ExpressibleByArgument {
        case map, ingest, memory, accept, acceptHTTP = "accept-http", dispatch, trace
    }

    @Flag(name: .long, help: "Small counts (seconds, for CI): checks the suite runs, figures are not comparable.")
    var short = false

    @Option(name: .long, help: "Also write the figures and machine facts as JSON to this file.")
    var json: String?

    @Option(name: .long, help: "Orders for the map benchmark (default 20000, --short 200).")
    var mapOrders: Int?

    @Option(name: .long, help: "Filings in the outbox for the dispatch benchmark (default 12000, --short 60).")
    var dispatchFilings: Int?

    @Option(name: .long, help: "Orders for the memory benchmark (default 1000000, --short 2000).")
    var memoryOrders: Int?

    @Option(name: .long, help: "Events in the store for the trace benchmark (default 1000000, --short 2000).")
    var traceEvents: Int?

    @Option(name: .long, help: "The yidan executable the memory benchmark runs (default: the one beside yidan-bench).")
    var yidan: String?

    @Argument(help: "Benchmarks to run, in this order (default: all): \(Benchmark.allCases.map(\.rawValue).joined(separator: ", ")).")
    var benchmarks: [Benchmark] = []

    func run() async throws {
        let machine = MachineFacts.current()
        print(machine.line)
        if machine.build == "debug" && !short {
            print("warning: debug build; record figures from a release build")
        }
        let report = BenchReport(machine: machine, command: CommandLine.arguments.joined(separator: " "))
        let chosen = benchmarks.isEmpty ? Benchmark.allCases : benchmarks
        for benchmark in chosen {
            switch benchmark {
            case .map:
                try MapBenchmark(count: mapOrders ?? (short ? 200 : 20_000)).run(into: report)
            case .ingest:
                try IngestBenchmark(count: short ? 100 : 5_000).run(into: report)
            case .memory:
                try MemoryBenchmark(
                    count: memoryOrders ?? (short ? 2_000 : 1_000_000), short: short,
                    yidan: yidan.map { URL(fileURLWithPath: $0) } ?? BenchPaths.yidanExecutable
                ).run(into: report)
            case .accept:
                try await AcceptBenchmark(count: short ? 320 : 20_000, submitters: 32).run(into: report)
            case .acceptHTTP:
                try await AcceptHTTPBenchmark(
                    seconds: short ? 1 : 5, connections: 32,
                    yidan: yidan.map { URL(fileURLWithPath: $0) } ?? BenchPaths.yidanExecutable
                ).run(into: report)
            case .dispatch:
                try await DispatchBenchmark(count: dispatchFilings ?? (short ? 60 : 12_000)).run(into: report)
                try await ReceiptLatencyBenchmark(orders: short ? 10 : 300, ordersPerSecond: short ? 20 : 25).run(into: report)
            case .trace:
                try await TraceBenchmark(
                    count: traceEvents ?? (short ? 2_000 : 1_000_000),
                    yidan: yidan.map { URL(fileURLWithPath: $0) } ?? BenchPaths.yidanExecutable
                ).run(into: report)
            }
        }
        if let json {
            try report.writeJSON(to: json)
            print("wrote \(json)")
        }
    }
}
