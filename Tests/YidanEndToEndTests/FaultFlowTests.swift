import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import YidanCore
import YidanRouter
import YidanSimulator
import YidanStore

/// Transport and receipt faults through the simulator over real loopback HTTP
/// (libcurl → Hummingbird). Every test ends by checking the final state of
/// every filing and that the authority applied each message exactly once.
@Suite struct FaultFlowTests {
    /// Submits every order fixture to a fresh embedded deployment with `faults`,
    /// waits until every filing is final and hands the result to `check`.
    func run(
        _ name: String, faults: FaultPlan,
        settings adjust: @escaping @Sendable (inout RunSettings) -> Void = { _ in },
        check: (EmbeddedDeployment, any FilingStore, [FilingRecord], SimulatorStats, URL) async throws -> Void
    ) async throws {
        let folder = try Harness.temporaryFolder(name)
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(20), faults: faults, settings: adjust
        )
        var accepted = 0
        for file in try Harness.orderFiles() {
            let receipt = try await deployment.runtime.submit(json: Data(contentsOf: file))
            accepted += receipt.filings.count
        }
        let store = environment.store
        let done = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        // Receipts still on their way (duplicates) are waited for, so the history is complete.
        await deployment.simulator.waitUntilIdle()
        let filings = try await Harness.allFilings(store)
        let stats = await deployment.simulator.stats()
        #expect(done, "filings still open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        #expect(filings.count == accepted)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastError ?? "")")
            #expect(await deployment.simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey) == 1, "\(filing.kind.rawValue) applied more or less than once")
        }
        let customs = filings.filter { $0.kind.authority == .customs }
        #expect(stats.messagesAccepted == customs.count)
        try await check(deployment, store, filings, stats, folder)
        await deployment.stop()
    }

    @Test func aStormOf5xxWithRetryAfterEndsWithEveryFilingAppliedOnce() async throws {
        try await run("storm", faults: FaultPlan(failNext: 8, failStatus: 502, retryAfterSeconds: 1)) { _, store, filings, stats, _ in
            #expect(stats.faultsInjected == 8)
            var refused = 0
            for filing in filings where filing.kind.authority == .customs {
                let attempts = try await store.attempts(filingID: filing.id)
                refused += attempts.filter { $0.httpStatus == 502 }.count
                #expect(attempts.last?.httpStatus == 200)
            }
            #expect(refused == 8, "every injected 502 is one recorded attempt")
        }
    }

    @Test func connectionResetsAndDripsPastTheTimeoutAreRetriedButNeverAppliedTwice() async throws {
        // Two answers cut mid-body, two trickled at 40 ms a byte (a DxpRep is
        // ~250 bytes: ~10 s) against a 3 s request timeout.
        let faults = FaultPlan(dropNext: 2, dripNext: 2, dripIntervalMilliseconds: 40)
        try await run("resets", faults: faults, settings: { $0.requestTimeout = .seconds(3) }) { _, store, filings, stats, _ in
            #expect(stats.faultsInjected == 4)
            // Drops hit the tax and FX desks too; drips only the customs gateway.
            func brokenAttempts() async throws -> [String] {
                var broken: [String] = []
                for filing in filings {
                    let attempts = try await store.attempts(filingID: filing.id)
                    broken += attempts.filter { $0.httpStatus == nil }.map { $0.error ?? "" }
                }
                return broken
            }
            // Receipts can finish a filing while its dripping answer is still
            // arriving; the attempt is recorded when the client gives up.
            _ = try await Harness.eventually(timeout: .seconds(30)) {
                let broken = try await brokenAttempts()
                return broken.filter { $0.contains("timed out") }.count >= 2 && broken.filter { $0.contains("reset") }.count >= 2
            }
            let broken = try await brokenAttempts()
            // The drips were cut by the client's own timeout after some bytes had arrived.
            // On a loaded machine an ordinary answer may time out too: at least the two drips did.
            #expect(broken.filter { $0.contains("timed out") }.count >= 2, "\(broken)")
            #expect(broken.filter { $0.contains("reset") }.count == 2, "each cut answer is one failed attempt: \(broken)")
            #expect(stats.appliedMessageGuids.count == Set(stats.appliedMessageGuids).count)
        }
    }

    @Test func duplicateAndOutOfOrderReceiptsNeverMoveAStatusBackwardsAndAllAreKept() async throws {
        let faults = FaultPlan(duplicateReceipts: true, outOfOrderReceipts: true)
        try await run("receipts", faults: faults) { _, store, filings, _, _ in
            for filing in filings where filing.kind.authority == .customs {
                let history = try await store.receipts(filingID: filing.id)
                // Every receipt arrives twice and both copies are kept.
                let byStatus = Dictionary(grouping: history, by: \.returnStatus)
                #expect(byStatus.values.allSatisfy { $0.count % 2 == 0 }, "\(filing.kind.rawValue): \(history.map(\.returnStatus))")
            }
            // Receipt moves, in commit order, only ever go up the lifecycle.
            let broker = try #require(store as? any BrokerStore)
            let moves = try await broker.statusChanges(after: 0, limit: 10_000).filter { $0.cause == .receipt }
            for (filingID, changes) in Dictionary(grouping: moves, by: \.filingID) {
                let ranks = changes.map(\.to.rank)
                #expect(ranks == ranks.sorted() && Set(ranks).count == ranks.count, "\(filingID) moved \(changes.map(\.to.rawValue))")
            }
            let inventory = try #require(filings.first { $0.kind == .ceb621 })
            let statuses = try await store.receipts(filingID: inventory.id).map(\.returnStatus)
            #expect(Set(statuses) == ["2", "120", "399", "800"])
            #expect(statuses.count == 8)
            #expect(inventory.lastReturnStatus == "800", "the late 399 must not overwrite the release")
        }
    }

    @Test func aReceiptForAnUnknownFilingIsKeptAndReported() async throws {
        try await run("unknown", faults: .none) { deployment, store, filings, _, folder in
            let stranger = UUID().uuidString.uppercased()
            #expect(!filings.contains { $0.id == stranger })
            let receipt = Data("""
                <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="\(UUID().uuidString)" version="1.0"><OrderReturn>
                <guid>\(stranger)</guid><ebpCode>1</ebpCode><ebcCode>1</ebcCode><orderNo>NOBODY-1</orderNo><returnStatus>2</returnStatus>
                <returnTime>20261129100000000</returnTime><returnInfo>orphan</returnInfo></OrderReturn></CEB312Message>
                """.utf8)
            let callback = try #require(URL(string: deployment.callbackURL))
            var request = URLRequest(url: callback)
            request.httpMethod = "POST"
            request.httpBody = receipt
            let (body, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: body, as: UTF8.self).contains(#""unmatched":1"#))
            let unmatched = try await store.unmatchedReceipts(limit: 10)
            #expect(unmatched.count == 1)
            #expect(unmatched.first?.returnInfo == "orphan")
            #expect(unmatched.first?.filingID == nil)
            // The desk sees it too.
            let listed = try await YidanProcess.run(
                ["list", "--unmatched", "--store", folder.appendingPathComponent("yidan.sqlite").path], folder: folder, name: "unmatched"
            )
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("orphan"))
            // Nothing else changed: every filing is still where it ended.
            #expect(try await Harness.allFilings(store).map(\.status) == filings.map(\.status))
        }
    }

    @Test func separateProcessesSubmittingToOneStoreFileAtOnceLoseNothing() async throws {
        let folder = try Harness.temporaryFolder("processes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("shared.sqlite").path
        let files = try Harness.orderFiles()
        // One `yidan submit` per order and a `yidan list` reader, all at once on one SQLite file:
        // each writer waits for the others' locks (busy timeout) instead of failing.
        var children: [YidanProcess] = []
        for (index, file) in files.enumerated() {
            children.append(try YidanProcess(arguments: ["submit", file.path, "--store", store], folder: folder, name: "submit-\(index)"))
        }
        children.append(try YidanProcess(arguments: ["list", "--store", store], folder: folder, name: "list"))
        for child in children { try child.start() }
        for child in children { await child.waitForExit() }
        for child in children {
            #expect(child.terminationStatus == 0, "\(child.arguments): \(child.stderr.suffix(500))")
        }
        let reader = try SQLiteFilingStore(path: store)
        let filings = try await Harness.allFilings(reader)
        #expect(filings.count == files.count * 6)
        #expect(Set(filings.map(\.orderNo)).count == files.count)
        #expect(filings.allSatisfy { $0.status == .queued })
    }
}
