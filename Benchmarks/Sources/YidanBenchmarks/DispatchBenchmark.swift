import Foundation
import Logging
import YidanCore
import YidanMapping
import YidanRouter
import YidanSimulator
import YidanStore
import YidanChildProcess

/// Dispatch: a full outbox delivered to the built-in simulator over loopback
/// HTTP through libcurl, each delivery recorded durably (attempt + status), by
/// the same `RouterRuntime` `yidan run` uses (EmbeddedDeployment).
///
/// Orders are accepted first (not timed); the clock runs from starting the
/// dispatcher until no filing is queued or sending. The simulator's receipt
/// steps are slowed to a minute, so what is timed is the dispatch path, not
/// receipt callbacks. Latency is per delivery (libcurl request → the
/// authority's synchronous reply, recorded in the attempts table). The ceiling
/// is `wrk` posting one customs DxpMsg to the same simulator endpoint.
struct DispatchBenchmark {
    let count: Int

    func run(into report: BenchReport) async throws {
        let folder = try BenchPaths.temporaryFolder("dispatch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: BenchPaths.mappings.path)
        let generator = try OrderGenerator(taxRates: environment.taxRates)
        let orders = max(count / 6, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for number in stride(from: worker, to: orders, by: 4) {
                        _ = try await environment.intake.submit(generator.order(2_000_000 + number))
                    }
                }
            }
            try await group.waitForAll()
        }
        let filings = orders * 6

        let start = monotonicSeconds()
        var logger = Logger(label: "yidan-bench")
        logger.logLevel = .error  // one line per delivery would be measured too
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .seconds(60), settings: { settings in
            settings.maxInFlight = 32
            settings.pollInterval = .milliseconds(20)
        }, logger: logger)
        let started = monotonicSeconds()
        let deadline = start + max(60, Double(filings) / 50)
        var open = filings
        while monotonicSeconds() < deadline {
            let counts = try await environment.store.statusCounts()
            open = (counts[.queued] ?? 0) + (counts[.sending] ?? 0)
            if open == 0 { break }
            try await Task.sleep(for: .milliseconds(5))  // polling a store, not waiting for logic
        }
        let finished = monotonicSeconds()
        let seconds = finished - start
        let records = try await environment.store.filings(status: nil, limit: filings + 10)
        var latencies: [Double] = []
        for record in records {
            latencies += try await environment.store.attempts(filingID: record.id).map { $0.latencyMilliseconds / 1000 }
        }
        let sample = records.first { $0.kind == .ceb311 }
        let gatewayURL = deployment.gatewayURL
        let profile = environment.profile
        guard open == 0 else {
            await deployment.stop()
            throw BenchError("dispatch: \(open) of \(filings) filings still open after \(Int(seconds)) s")
        }
        let figures = Latencies(latencies)
        report.add("dispatch.throughput", Double(filings) / seconds, "filings/s", "\(filings) filings (\(orders) orders) from a full outbox, libcurl → simulator, 32 in flight, incl. start-up")
        report.add("dispatch.throughput_running", Double(filings) / (finished - started), "filings/s", "the same from the moment the deployment (simulator, dispatcher) has started")
        report.add("dispatch.startup", (started - start) * 1000, "ms", "EmbeddedDeployment.start: simulator listening, dispatcher running")
        report.add("dispatch.delivery_p50", figures.percentile(50), "ms", "per delivery: request → authority's reply (\(latencies.count) attempts)")
        report.add("dispatch.delivery_p99", figures.percentile(99), "ms", "per delivery, 99th percentile")

        if let sample, FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
            let envelope = DxpEnvelope(
                copMsgId: sample.id, senderId: profile.dxpSenderId, receiverIds: [profile.dxpReceiverId],
                createTime: ZonedDateTime(instant: sample.createdAt, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds),
                msgType: sample.kind.rootElement, data: sample.payload
            )
            let rate = try wrkRate(url: gatewayURL, body: envelope.xml(), key: sample.idempotencyKey, folder: folder)
            report.add("dispatch.wrk_ceiling", rate, "requests/s", "wrk -t2 -c32 -d\(count < 600 ? 1 : 5)s POST one DxpMsg (a replay) to the same simulator endpoint")
            report.add("dispatch.share_of_wrk", Double(filings) / seconds / rate * 100, "%", "dispatch.throughput / dispatch.wrk_ceiling")
        }
        await deployment.stop()
    }

    /// Requests per second `wrk` reaches posting `body` to `url`.
    private func wrkRate(url: String, body: Data, key: String, folder: URL) throws -> Double {
        let bodyFile = folder.appendingPathComponent("body.xml")
        try body.write(to: bodyFile)
        let script = folder.appendingPathComponent("post.lua")
        try """
            local f = io.open("\(bodyFile.path)", "rb")
            wrk.method = "POST"
            wrk.body = f:read("*a")
            f:close()
            wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
            wrk.headers["Idempotency-Key"] = "\(key)"
            """.write(to: script, atomically: true, encoding: .utf8)
        let text = try ChildProcess.run("/usr/bin/wrk", ["-t2", "-c32", "-d\(count < 600 ? 1 : 5)s", "-s", script.path, url]).stdout
        if text.contains("Non-2xx") { print("note: wrk saw non-2xx replies:\n\(text)") }
        for line in text.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
            if let value = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)) { return value }
        }
        throw BenchError("wrk printed no Requests/sec: \(text)")
    }
}
