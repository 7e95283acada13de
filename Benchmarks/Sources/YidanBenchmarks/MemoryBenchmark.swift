import Foundation
import YidanCore
import YidanIngest
import YidanChildProcess

/// Memory: peak RSS of `yidan ingest` (the executable built beside this one)
/// over generated JSON Lines orders in a temporary file, measured by
/// `/usr/bin/time -v` ("Maximum resident set size" of the child).
///
/// Two runs: `--validate-only` over all `count` orders (reading, decoding and
/// checking every order: the streaming path), and `--dry-run` (tax, mapping,
/// signing, validation of all six filings, nothing stored) over `dryRunCount`.
struct MemoryBenchmark {
    let count: Int
    let short: Bool
    let yidan: URL
    var dryRunCount: Int { short ? min(count, 200) : min(count, 20_000) }

    func run(into report: BenchReport) throws {
        guard FileManager.default.isExecutableFile(atPath: yidan.path) else {
            throw BenchError("memory: no yidan executable at \(yidan.path); build the yidan product with the same configuration")
        }
        let folder = try BenchPaths.temporaryFolder("memory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = folder.appendingPathComponent("orders.jsonl")
        let bytes = try writeOrders(count, to: orders)

        for (mode, limit) in [("--validate-only", count), ("--dry-run", dryRunCount)] {
            let input: URL
            if limit == count {
                input = orders
            } else {
                input = folder.appendingPathComponent("orders-\(limit).jsonl")
                _ = try writeOrders(limit, to: input)
            }
            let start = monotonicSeconds()
            let peak = try peakRSS(yidan, [
                "ingest", input.path, mode, "--progress", "none",
                "--store", folder.appendingPathComponent("store.sqlite").path,
                "--report", folder.appendingPathComponent("report.json").path,
                "--mappings", BenchPaths.mappings.path,
            ])
            let seconds = monotonicSeconds() - start
            let name = mode == "--dry-run" ? "memory.ingest_dry_run" : "memory.ingest_validate"
            report.add(name, Double(peak) / 1024, "MB peak", "yidan ingest \(mode) over \(limit) orders (\(limit == count ? bytes / 1_048_576 : bytes / 1_048_576 * limit / max(count, 1)) MB JSONL) in \(String(format: "%.1f", seconds)) s")
        }
    }

    /// Writes `count` orders as JSON Lines: 1,000 distinct generated orders
    /// (encoded once), each line given its own order number.
    private func writeOrders(_ count: Int, to url: URL) throws -> Int {
        let rates = try TaxRateTable(csv: String(contentsOf: BenchPaths.taxRates, encoding: .utf8))
        let generator = try OrderGenerator(taxRates: rates)
        let templates = try (0..<min(count, 1_000)).map { number -> (line: String, orderNo: String) in
            let order = try generator.order(number)
            let json = String(decoding: NormalizedOrderJSON.encode(order), as: UTF8.self)
            return (json.replacingOccurrences(of: "\n", with: ""), order.orderNo)
        }
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else { throw BenchError("cannot create \(url.path)") }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer = ""
        var written = 0
        for number in 0..<count {
            let template = templates[number % templates.count]
            let orderNo = "BENCH" + String(number).leftPadded(to: 9).replacingOccurrences(of: " ", with: "0")
            buffer += template.line.replacingOccurrences(of: "\"\(template.orderNo)\"", with: "\"\(orderNo)\"")
            buffer += "\n"
            if buffer.utf8.count > 1 << 20 {
                let data = Data(buffer.utf8)
                written += data.count
                try handle.write(contentsOf: data)
                buffer = ""
            }
        }
        let data = Data(buffer.utf8)
        written += data.count
        try handle.write(contentsOf: data)
        return written
    }

    /// Runs the command under `/usr/bin/time -v` and returns its maximum resident set size in KiB.
    private func peakRSS(_ executable: URL, _ arguments: [String]) throws -> Int {
        let process = try ChildProcess.run("/usr/bin/time", ["-v", executable.path] + arguments)
        let text = process.stderr
        guard process.status == 0 else {
            throw BenchError("yidan \(arguments.prefix(3).joined(separator: " ")) exited \(process.status): \(text.suffix(600))")
        }
        for line in text.split(separator: "\n") where line.contains("Maximum resident set size") {
            if let value = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                return value
            }
        }
        throw BenchError("no 'Maximum resident set size' in /usr/bin/time output")
    }
}
