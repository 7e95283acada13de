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
/// is `wrk` posting distinct signed customs DxpMsgs, each once, to the same
/// simulator endpoint (messages of orders prepared but never sent).
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
        // On stderr, so a profiler can attach for the timed part: `perf record -p PID` after this line.
        FileHandle.standardError.write(Data("dispatch: \(filings) filings in the outbox, delivering\n".utf8))

        let start = monotonicSeconds()
        let cpuStart = processCPUSeconds()
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
            // Polling a store, not waiting for logic. Each count scans the
            // filings; every 5 ms it took 5 % of the CPU being measured.
            try await Task.sleep(for: .milliseconds(25))
        }
        let finished = monotonicSeconds()
        let cpuSeconds = processCPUSeconds() - cpuStart
        let seconds = finished - start
        let records = try await environment.store.filings(status: nil, limit: filings + 10)
        var latencies: [Double] = []
        for record in records {
            latencies += try await environment.store.attempts(filingID: record.id).map { $0.latencyMilliseconds / 1000 }
        }
        let gatewayURL = deployment.gatewayURL
        guard open == 0 else {
            await deployment.stop()
            throw BenchError("dispatch: \(open) of \(filings) filings still open after \(Int(seconds)) s")
        }
        let figures = Latencies(latencies)
        report.add("dispatch.throughput", Double(filings) / seconds, "filings/s", "\(filings) filings (\(orders) orders) from a full outbox, libcurl → simulator, 32 in flight, incl. start-up")
        report.add("dispatch.throughput_running", Double(filings) / (finished - started), "filings/s", "the same from the moment the deployment (simulator, dispatcher) has started")
        report.add("dispatch.cpu_per_filing", cpuSeconds / Double(filings) * 1e6, "µs", "CPU (user + system) of the whole process per filing: dispatcher, store and simulator together")
        report.add("dispatch.cores_busy", cpuSeconds / seconds, "cores", "CPU seconds per second during the run (the machine has \(ProcessInfo.processInfo.activeProcessorCount))")
        if let sqlite = ((environment.store as? SealedFilingStore)?.base ?? environment.store) as? SQLiteFilingStore {
            let groups = sqlite.attemptCommitStatistics
            report.add("dispatch.attempts_per_commit", Double(groups.attempts) / Double(max(groups.transactions, 1)), "attempts/commit", "\(groups.transactions) transactions recording attempts (group commit)")
        }
        report.add("dispatch.startup", (started - start) * 1000, "ms", "EmbeddedDeployment.start: simulator listening, dispatcher running")
        report.add("dispatch.delivery_p50", figures.percentile(50), "ms", "per delivery: request → authority's reply (\(latencies.count) attempts)")
        report.add("dispatch.delivery_p99", figures.percentile(99), "ms", "per delivery, 99th percentile")

        if FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") {
            // Fresh customs messages the simulator has not seen: a replay would only take its duplicate path.
            let fresh = try await freshCustomsMessages(environment: environment, generator: generator, orders: count < 600 ? 150 : 2_500)
            let rate = try wrkRate(url: gatewayURL, messages: fresh, folder: folder)
            report.add("dispatch.wrk_ceiling", rate.perSecond, "requests/s",
                       "wrk -t1 -c32 -d1s: \(rate.requests) POSTs of \(fresh.count) distinct signed customs DxpMsgs never sent before (none twice, except in --short) to the same simulator endpoint")
            report.add("dispatch.share_of_wrk", Double(filings) / seconds / rate.perSecond * 100, "%", "dispatch.throughput / dispatch.wrk_ceiling")
        }
        await deployment.stop()
    }

    /// Customs messages of orders prepared (mapped, signed) but never stored or
    /// sent, each in its DxpMsg envelope with its idempotency key.
    private func freshCustomsMessages(environment: YidanEnvironment, generator: OrderGenerator, orders: Int) async throws -> [(body: Data, key: String)] {
        let profile = environment.profile
        let now = ZonedDateTime.now()
        var messages: [(body: Data, key: String)] = []
        for number in 0..<orders {
            let prepared = try await environment.intake.prepare(generator.order(3_000_000 + number))
            for filing in prepared.submission.filings where filing.kind.authority == .customs {
                let envelope = DxpEnvelope(
                    copMsgId: filing.id, senderId: profile.dxpSenderId, receiverIds: [profile.dxpReceiverId],
                    createTime: now, msgType: filing.kind.rootElement, data: filing.payload
                )
                messages.append((envelope.xml(), filing.idempotencyKey))
            }
        }
        return messages
    }

    /// Requests per second `wrk` reaches posting each message once to `url`
    /// for one second; more messages than that second takes, or it is an error
    /// (a message sent twice would take the simulator's cheap duplicate path).
    private func wrkRate(url: String, messages: [(body: Data, key: String)], folder: URL) throws -> (perSecond: Double, requests: Int) {
        let directory = folder.appendingPathComponent("wrk-messages")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (index, message) in messages.enumerated() {
            try message.body.write(to: directory.appendingPathComponent("\(index + 1).xml"))
        }
        try messages.map(\.key).joined(separator: "\n").write(to: directory.appendingPathComponent("keys.txt"), atomically: true, encoding: .utf8)
        let script = folder.appendingPathComponent("post.lua")
        try """
            local bodies, keys = {}, {}
            for i = 1, \(messages.count) do
              local f = io.open("\(directory.path)/" .. i .. ".xml", "rb")
              bodies[i] = f:read("*a")
              f:close()
            end
            for key in io.lines("\(directory.path)/keys.txt") do keys[#keys + 1] = key end
            local next_index = 0
            request = function()
              next_index = next_index + 1
              local i = math.min(next_index, #bodies)
              return wrk.format("POST", nil, {["Content-Type"] = "application/xml; charset=utf-8", ["Idempotency-Key"] = keys[i]}, bodies[i])
            end
            """.write(to: script, atomically: true, encoding: .utf8)
        let text = try ChildProcess.run("/usr/bin/wrk", ["-t1", "-c32", "-d1s", "-s", script.path, url]).stdout
        if text.contains("Non-2xx") { print("note: wrk saw non-2xx replies:\n\(text)") }
        var rate: Double?
        var requests = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Requests/sec:") {
                rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
            } else if line.contains(" requests in ") {
                requests = Int(line.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
            }
        }
        guard let rate else { throw BenchError("wrk printed no Requests/sec: \(text)") }
        guard requests < messages.count || count < 600 else {  // --short: too few messages to matter
            throw BenchError("wrk sent \(requests) requests in a second but only \(messages.count) distinct messages were prepared")
        }
        return (rate, requests)
    }
}
