import Foundation
import Glibc
import YidanChildProcess
import YidanCore
import YidanIngest

/// Accept over HTTP: `POST /v1/orders` with `Prefer: respond-async` to a real
/// `yidan serve --simulator` (release binary beside yidan-bench, SQLite store,
/// WAL, `synchronous = FULL`, group commit), driven by `wrk` with 32
/// connections, each request a different generated order (its own number and
/// buyer). An answer (202) means the order is committed to disk; the preparer,
/// dispatcher and simulator run in the same process meanwhile, sharing the
/// two cores, as they would on a sale day.
///
/// The count of orders is checked in the store afterwards: the figure is
/// durable orders per second, not just answers.
struct AcceptHTTPBenchmark {
    let seconds: Int
    let connections: Int
    let yidan: URL

    func run(into report: BenchReport) async throws {
        let folder = try BenchPaths.temporaryFolder("accept-http")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rates = try TaxRateTable(csv: String(contentsOf: BenchPaths.taxRates, encoding: .utf8))
        let generator = try OrderGenerator(taxRates: rates)
        // Enough distinct orders that wrk never sends one twice (checked below).
        let orderCount = max(seconds * 16_000, 2_000)
        let ordersFile = folder.appendingPathComponent("orders.jsonl")
        var lines = Data()
        lines.reserveCapacity(orderCount * 2_600)
        for number in 0..<orderCount {
            // The encoder indents; a raw newline only ever stands between tokens, so it can become a space.
            let json = NormalizedOrderJSON.encode(try generator.order(5_000_000 + number))
            lines.append(contentsOf: json.dropLast().map { $0 == 0x0A ? 0x20 : $0 })
            lines.append(0x0A)
        }
        try lines.write(to: ordersFile)

        let port = try LoopbackPort.free()
        let store = folder.appendingPathComponent("serve.sqlite").path
        let output = folder.appendingPathComponent("serve.out").path
        var environment = ProcessInfo.processInfo.environment
        environment["YIDAN_MAPPINGS"] = BenchPaths.mappings.path
        let server = try ChildProcess(
            yidan.path, ["serve", "--simulator", "--port", "\(port)", "--store", store, "--log-level", "error"],
            environment: environment, directory: folder.path, stdout: .file(output), stderr: .file(output)
        )
        defer {
            server.send(SIGKILL)
            server.waitUntilExit()
        }
        let key = try await Self.adminKey(output: output, server: server)

        let script = folder.appendingPathComponent("orders.lua")
        try Self.wrkScript(orders: ordersFile.path, key: key).write(to: script, atomically: true, encoding: .utf8)
        let wrk = try ChildProcess.run(
            "/usr/bin/wrk", ["-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, "http://127.0.0.1:\(port)/v1/orders"]
        )
        let text = wrk.stdout
        guard let requests = Self.number(before: " requests in ", in: text),
              let window = Self.wrkDuration(text)
        else { throw BenchError("wrk printed no totals: \(text) \(wrk.stderr)") }
        guard !text.contains("Non-2xx") else {
            // Show why: the last order of the file (never sent by wrk) sent by curl.
            let probe = folder.appendingPathComponent("probe.json")
            try Data(lines.split(separator: 0x0A).last ?? []).write(to: probe)
            let sample = try ChildProcess.run("/usr/bin/curl", [
                "-s", "-X", "POST", "-H", "Authorization: Bearer \(key)", "-H", "Prefer: respond-async",
                "--data-binary", "@\(probe.path)", "http://127.0.0.1:\(port)/v1/orders",
            ])
            throw BenchError("some orders were not accepted:\n\(text)\none order sent by curl gets: \(sample.stdout.prefix(600))")
        }
        guard Int(requests) < orderCount else { throw BenchError("wrk sent \(Int(requests)) requests for \(orderCount) distinct orders") }

        // What is on disk, not what was answered: read the store after wrk is done.
        let durable = try Self.queuedOrders(store: store)
        guard durable >= Int(requests) else {
            throw BenchError("\(Int(requests)) orders answered 202 but only \(durable) are in the store")
        }
        report.add("accept.http", Double(durable) / window, "orders/s",
                   "POST /v1/orders (Prefer: respond-async) to yidan serve --simulator, wrk -t1 -c\(connections) -d\(seconds)s, \(durable) distinct orders durable (WAL, synchronous=FULL, group commit)")
        for percentile in ["50", "99"] {
            if let value = Self.latency(percentile, in: text) {
                report.add("accept.http_p\(percentile)", value, "ms", "POST → 202 (order on disk), wrk --latency \(percentile)th percentile")
            }
        }
    }

    /// wrk: one thread's connections take the orders file's lines in turn; a
    /// request never repeats an order while the file lasts.
    static func wrkScript(orders: String, key: String) -> String {
        """
        local bodies = {}
        for line in io.lines("\(orders)") do bodies[#bodies + 1] = line end
        local next_index = 0
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Authorization"] = "Bearer \(key)"
        wrk.headers["Prefer"] = "respond-async"
        request = function()
          next_index = next_index + 1
          return wrk.format(nil, nil, nil, bodies[next_index])
        end
        """
    }

    /// The admin key `serve --simulator` prints once for a fresh store.
    static func adminKey(output: String, server: ChildProcess) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if text.contains("yidan serve: http://"), let line = text.split(separator: "\n").first(where: { $0.hasPrefix("admin key (shown once): ") }) {
                return String(line.dropFirst("admin key (shown once): ".count))
            }
            guard server.isRunning else { throw BenchError("yidan serve exited: \(text.suffix(800))") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("yidan serve did not start within 60 s")
    }

    static func queuedOrders(store: String) throws -> Int {
        let result = try ChildProcess.run("/usr/bin/python3", [
            "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM order_queue').fetchone()[0])", store,
        ])
        guard result.status == 0, let count = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("could not count the stored orders: \(result.stderr)")
        }
        return count
    }

    // MARK: wrk's text

    /// "  123456 requests in 5.00s, …": the number before `marker`.
    static func number(before marker: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) else { return nil }
        let head = line.components(separatedBy: marker)[0].trimmingCharacters(in: .whitespaces)
        return Double(head.split(separator: " ").last ?? "")
    }

    /// The run's length from "N requests in 5.00s".
    static func wrkDuration(_ text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(" requests in ") }) else { return nil }
        let tail = line.components(separatedBy: " requests in ")[1].split(separator: ",")[0]
        return milliseconds(String(tail)).map { $0 / 1000 }
    }

    /// "     99%   12.34ms" under "Latency Distribution", in ms.
    static func latency(_ percentile: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "\(percentile)%" { return milliseconds(String(parts[1])) }
        }
        return nil
    }

    /// wrk's durations: "812.00us", "1.23ms", "2.50s", "1.02m".
    static func milliseconds(_ text: String) -> Double? {
        for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * factor }
        }
        return nil
    }
}
