import Foundation
import Testing
import YidanCore
import YidanDispatch
import YidanRouter
import YidanSimulator
import YidanStore

/// The dispatcher's per-authority circuit breaker over real loopback HTTP:
/// the simulator's tax desk is down (every request 503), so after two failures
/// in a row the tax breaker opens and the tax filings stay queued — not dead,
/// not hammering the desk — while customs and FX filings keep flowing to
/// their final receipts. Once the desk is back, the next half-open probe
/// succeeds, the breaker closes and the tax filings go out: every filing of
/// every order ends at its final success, applied exactly once.
@Suite struct CircuitBreakerFlowTests {
    @Test func aFailingTaxDeskOpensOnlyTheTaxBreakerAndAProbeClosesItOnceTheDeskIsBack() async throws {
        let folder = try Harness.temporaryFolder("breaker")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(10), faults: FaultPlan(unavailableDesks: ["tax"]),
            settings: { settings in
                settings.authorityLimits[.tax] = AuthorityLimits(breaker: .init(failureThreshold: 2, coolDown: .milliseconds(400)))
                // Patient retries: nothing may die while the desk is down.
                settings.retryPolicy = RetryPolicy(baseDelay: .milliseconds(50), maxDelay: .milliseconds(200), maxAttempts: 1000)
            }
        )
        let orders = ["milk-powder-9610.json", "skincare-9610.json"]
        var accepted: [SubmitReceipt] = []
        for name in orders {
            accepted.append(try await deployment.runtime.submit(json: Data(contentsOf: Harness.orders.appendingPathComponent(name))))
        }
        let store = environment.store

        // The tax breaker opens; customs and FX go on to their final receipts meanwhile.
        let opened = try await Harness.eventually(timeout: .seconds(30)) {
            let all = try await Harness.allFilings(store)
            return deployment.runtime.authorityHealth()[.tax]?.breaker != .closed
                && all.filter { $0.kind.authority != .tax }.allSatisfy(Harness.isFinal)
        }
        let health = deployment.runtime.authorityHealth()
        let whileDown = try await Harness.allFilings(store)
        #expect(opened, "tax: \(String(describing: health[.tax])); open: \(whileDown.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        #expect(health[.tax].map { $0.breaker != .closed && $0.consecutiveFailures >= 2 && $0.recentErrorRate == 1 } == true)
        #expect(health[.customs]?.breaker == .closed && health[.fx]?.breaker == .closed)
        #expect(health[.customs]?.recentErrorRate == 0)
        for filing in whileDown where filing.kind.authority == .tax {
            #expect(filing.status == .queued || filing.status == .sending, "\(filing.kind.rawValue) \(filing.status.rawValue)")
        }
        // Held, not hammered: while open, the desk sees at most one probe per cool-down.
        let received = await deployment.simulator.stats().authorities["tax"]?.requestsReceived ?? 0
        #expect(received >= 2)

        // The desk is back: a probe succeeds, the breaker closes, everything finishes.
        await deployment.simulator.setFaultPlan(.none)
        let done = try await Harness.eventually(timeout: .seconds(30)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        let filings = try await Harness.allFilings(store)
        let after = deployment.runtime.authorityHealth()
        var applied: [Int] = []
        for filing in filings { applied.append(await deployment.simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey)) }
        await deployment.stop()
        #expect(done, "open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        #expect(after[.tax]?.breaker == .closed && after[.tax]?.consecutiveFailures == 0)
        #expect(filings.count == 12)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue)")
        }
        #expect(applied == Array(repeating: 1, count: filings.count))
    }
}
