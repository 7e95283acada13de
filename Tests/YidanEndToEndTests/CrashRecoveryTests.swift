import Foundation
import Testing
import YidanCore
import YidanSimulator
import YidanStore

/// `kill -9` of a dispatching `yidan run` loses nothing and applies nothing twice.
@Suite struct CrashRecoveryTests {
    @Test func killedDispatcherResumesAndEveryFilingTakesEffectExactlyOnce() async throws {
        let folder = try Harness.temporaryFolder("crash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("yidan.sqlite").path
        let inbox = folder.appendingPathComponent("inbox", isDirectory: true)

        // The simulator applies each message at once but answers only after
        // 400 ms, so a kill lands while requests are in flight and already applied.
        // Its first receipt comes 4 s later: after the 2 s lease has expired, so
        // the restarted dispatcher re-sends what was cut off instead of learning
        // from a receipt that it had arrived.
        let simulator = try AuthoritySimulator(configuration: SimulatorConfiguration(
            stepDelay: .seconds(4), inboxDirectory: inbox,
            schemaURL: SimulatorConfiguration.importSchema(inMappings: Harness.mappings),
            faultPlan: FaultPlan(answerDelayMilliseconds: 400)
        ))
        let base = try await simulator.start()
        let gateway = base.absoluteString + "/dxp/messages"

        // Accept every fixture through the CLI; "accepted" means on disk.
        var orderNos: [String] = []
        for (index, file) in try Harness.orderFiles().enumerated() {
            let result = try await YidanProcess.run(["submit", file.path, "--store", storePath], folder: folder, name: "submit-\(index)")
            #expect(result.status == 0, "submit failed: \(result.stderr)")
            let firstLine = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(firstLine.hasPrefix("accepted "))
            orderNos.append(String(firstLine.split(separator: " ")[1]))
        }
        let store = try SQLiteFilingStore(path: storePath)
        let filings = try await Harness.allFilings(store)
        // Four customs messages, a tax and an FX filing per order; `run` posts the
        // tax and FX filings to the endpoints it derives from --gateway.
        #expect(filings.count == orderNos.count * 6)
        let customs = filings.filter { $0.kind.authority == .customs }

        let runArguments = [
            "run", "--gateway", gateway, "--inbox", inbox.path, "--store", storePath,
            "--max-in-flight", "2", "--lease-seconds", "2", "--timeout-seconds", "1", "--log-level", "warning",
        ]
        let first = try YidanProcess(arguments: runArguments, folder: folder, name: "run-1")
        try first.start()
        // Wait until some, not all, messages have been applied, then kill -9.
        let midFlight = await Harness.eventually(timeout: .seconds(60), every: .milliseconds(10)) {
            await simulator.stats().messagesAccepted >= 3
        }
        first.kill(SIGKILL)
        await first.waitForExit()
        #expect(midFlight, "the first run never reached the gateway: \(first.stderr)")
        #expect(first.endedBySignal)
        let appliedBeforeCrash = await simulator.stats().messagesAccepted
        #expect(appliedBeforeCrash < customs.count, "the kill came too late to test anything")

        // Restart: the expired leases bring the cut-off filings back.
        let second = try YidanProcess(arguments: runArguments, folder: folder, name: "run-2")
        try second.start()
        let done = try await Harness.eventually(timeout: .seconds(120)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        second.kill(SIGTERM)
        await second.waitForExit()
        let final = try await Harness.allFilings(store)
        let stats = await simulator.stats()
        await simulator.stop()
        #expect(done, "open filings: \(final.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" }); run-2 stderr: \(second.stderr)")

        // None missing, none applied twice.
        for filing in final {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue)")
            #expect(await simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey) == 1)
        }
        #expect(stats.messagesAccepted == customs.count)
        #expect(Set(stats.appliedMessageGuids) == Set(customs.map(\.id)))
        for authority in [Authority.tax, .fx] {
            let theirs = filings.filter { $0.kind.authority == authority }
            let counters = stats.authorities[authority.rawValue]
            #expect(counters?.filingsAccepted == theirs.count)
            #expect(Set(counters?.appliedFilingGuids ?? []) == Set(theirs.map(\.id)))
            #expect(counters.map { $0.requestsReceived == $0.filingsAccepted + $0.duplicatesRecognised } == true)
        }
        // Whatever was in flight at the kill was sent again and recognised, not re-applied.
        #expect(stats.requestsReceived == stats.messagesAccepted + stats.duplicatesRecognised)
        let duplicates = stats.duplicatesRecognised + stats.authorities.values.reduce(0) { $0 + $1.duplicatesRecognised }
        #expect(duplicates >= 1, "no filing was in flight at the kill")
        // The graceful stop of the second run exited cleanly.
        #expect(second.terminationStatus == 0, "run-2 stderr: \(second.stderr)")
    }
}
