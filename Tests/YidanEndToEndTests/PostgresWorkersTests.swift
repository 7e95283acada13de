import Foundation
import Logging
import PostgresNIO
import Testing
import YidanCore
import YidanRouter
import YidanSimulator
import YidanStore
import YidanStorePostgres

/// Three `yidan worker` processes share one PostgreSQL outbox; one is
/// `kill -9`ed while a request is in flight. Its filings are rescued when
/// their leases run out, and every filing takes effect exactly once.
///
/// Needs `YIDAN_TEST_POSTGRES_URL` (`.ci/run` starts a server and sets it);
/// without it the test is skipped locally and fails under CI.
@Suite struct PostgresWorkersTests {
    static let url = ProcessInfo.processInfo.environment["YIDAN_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let enabled = url != nil || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true

    @Test(.enabled(if: enabled, "set YIDAN_TEST_POSTGRES_URL to run the PostgreSQL worker test"))
    func killedWorkerIsRescuedAndEveryFilingTakesEffectOnce() async throws {
        let url = try #require(Self.url, "CI is set but YIDAN_TEST_POSTGRES_URL is not")
        let schema = "e2e_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let storeURL = url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
        let folder = try Harness.temporaryFolder("pg-workers")
        let quiet = Logger(label: "yidan.test", factory: { _ in SwiftLogNoOpLogHandler() })
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox", isDirectory: true)

        // Applied at once, answered after 400 ms: a kill lands while requests are
        // in flight. Receipts come 3 s later, after the 2 s lease has run out, so
        // the rescue re-sends instead of learning from a receipt.
        let simulator = try AuthoritySimulator(configuration: SimulatorConfiguration(
            stepDelay: .seconds(3), inboxDirectory: inbox,
            schemaURL: SimulatorConfiguration.importSchema(inMappings: Harness.mappings),
            faultPlan: FaultPlan(answerDelayMilliseconds: 400)
        ))
        let base = try await simulator.start()
        let store = try await PostgresFilingStore.open(PostgresLocation(url: storeURL), logger: quiet)
        var workers: [YidanProcess] = []
        do {
            // Personal data sealed at rest with one key every worker is given, as on real machines.
            let dataKey = DataKeyRing.newKeyLine(id: "kill-test")
            let sealed = SealedFilingStore(base: store, sealer: PersonalDataSealer(keys: try DataKeyRing(lines: dataKey, source: "test")))
            let environment = try YidanEnvironment(store: sealed, mappingsPath: Harness.mappings.path)
            for file in try Harness.orderFiles() {
                #expect(try await environment.intake.submit(json: Data(contentsOf: file)).isNew)
            }
            let filings = try await Harness.allFilings(store)
            #expect(filings.count == (try Harness.orderFiles().count) * 6)
            let customs = filings.filter { $0.kind.authority == .customs }

            for name in ["w1", "w2", "w3"] {
                var arguments = [
                    "worker", "--store", storeURL, "--gateway", base.absoluteString + "/dxp/messages", "--worker-id", name,
                    "--max-in-flight", "2", "--lease-seconds", "2", "--timeout-seconds", "1", "--poll-seconds", "0.1",
                    "--log-level", "warning",
                ]
                // One folder, one reader: w3 (never killed) takes the receipt files.
                if name == "w3" { arguments += ["--inbox", inbox.path] }
                let worker = try YidanProcess(arguments: arguments, folder: folder, name: name, environment: ["YIDAN_DATA_KEY": dataKey])
                try worker.start()
                workers.append(worker)
            }
            // kill -9 whichever of w1/w2 is first seen holding a filing mid-send.
            var victim: String?
            _ = try await Harness.eventually(timeout: .seconds(60), every: .milliseconds(5)) {
                victim = try await store.leaseHolders().values.first { $0 == "w1" || $0 == "w2" }
                return victim != nil
            }
            let killedName = try #require(victim, "no worker ever claimed a filing: \(workers.map(\.stderr))")
            let killed = workers[killedName == "w1" ? 0 : 1]
            killed.kill(SIGKILL)
            await killed.waitForExit()
            #expect(killed.endedBySignal)
            let cutOff = try await store.leaseHolders().filter { $0.value == killedName }.keys
            #expect(!cutOff.isEmpty, "the kill came after \(killedName)'s delivery finished")

            let done = try await Harness.eventually(timeout: .seconds(120)) {
                try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
            }
            let final = try await Harness.allFilings(store)
            #expect(done, "open: \(final.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
            for worker in workers where worker !== killed { worker.kill(SIGTERM) }
            for worker in workers { await worker.waitForExit() }

            let stats = await simulator.stats()
            for filing in final {
                #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue)")
                #expect(await simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey) == 1)
            }
            #expect(stats.messagesAccepted == customs.count)
            #expect(Set(stats.appliedMessageGuids) == Set(customs.map(\.id)))
            #expect(stats.requestsReceived == stats.messagesAccepted + stats.duplicatesRecognised)
            // The cut-off filings were taken over by a live worker after their lease ran out.
            let rescues = try await store.leaseRescues()
            #expect(cutOff.allSatisfy { rescues[$0, default: 0] >= 1 }, "rescues: \(rescues), cut off: \(cutOff)")
            for worker in workers where worker !== killed {
                #expect(worker.terminationStatus == 0, "\(worker.stderr)")
            }
        } catch {
            for worker in workers { worker.kill(SIGKILL) }
            await simulator.stop()
            store.close()
            try await Self.dropSchema(schema, url: url, logger: quiet)
            throw error
        }
        await simulator.stop()
        store.close()
        try await Self.dropSchema(schema, url: url, logger: quiet)
    }

    static func dropSchema(_ schema: String, url: String, logger: Logger) async throws {
        let location = try PostgresLocation(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: location.host, port: location.port, username: location.username, password: location.password,
                database: location.database, tls: .disable
            ),
            id: 1, logger: logger
        )
        try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"), logger: logger)
        try await connection.close()
    }
}
