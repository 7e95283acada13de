import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanSimulator
import YidanStore

/// The whole spine in one process over real loopback HTTP: intake → SQLite
/// outbox → libcurl → simulator → receipts by HTTP callback → status.
@Suite struct EmbeddedFlowTests {
    @Test func everyFixtureIsFiledExactlyOnceDespiteRefusedFirstAttempts() async throws {
        let folder = try Harness.temporaryFolder("embedded")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        // The gateway refuses the first three requests with 503 and Retry-After: 1.
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(20),
            faults: FaultPlan(failNext: 3, failStatus: 503, retryAfterSeconds: 1)
        )
        var accepted: [SubmitReceipt] = []
        for file in try Harness.orderFiles() {
            accepted.append(try await deployment.runtime.submit(json: Data(contentsOf: file)))
        }
        #expect(accepted.count >= 4)
        // Four customs messages, a tax and an FX filing per order.
        #expect(accepted.allSatisfy { $0.isNew && $0.filings.map(\.kind) == OrderIntake.importFilings })

        let store = environment.store
        let done = try await Harness.eventually(timeout: .seconds(90)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        let filings = try await Harness.allFilings(store)
        let stats = await deployment.simulator.stats()
        await deployment.stop()
        #expect(done, "filings still open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")

        #expect(filings.count == accepted.count * 6)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.orderNo) \(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
            #expect(await deployment.simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey) == 1)
        }
        // Three requests were refused and retried; every message was applied once,
        // customs messages by the gateway, tax and FX filings by their desks.
        #expect(stats.faultsInjected == 3)
        let customs = filings.filter { $0.kind.authority == .customs }
        #expect(stats.messagesAccepted == customs.count)
        #expect(Set(stats.appliedMessageGuids) == Set(customs.map(\.id)))
        for authority in [Authority.tax, .fx] {
            let theirs = filings.filter { $0.kind.authority == authority }
            #expect(theirs.count == accepted.count)
            #expect(stats.authorities[authority.rawValue]?.filingsAccepted == theirs.count)
            #expect(Set(stats.authorities[authority.rawValue]?.appliedFilingGuids ?? []) == Set(theirs.map(\.id)))
        }
        let retried = filings.filter { $0.attempts > 1 }
        #expect(retried.count == 3)
        for filing in retried {
            let attempts = try await store.attempts(filingID: filing.id)
            #expect(attempts.first?.httpStatus == 503)
            #expect(attempts.last?.httpStatus == 200)
        }

        // The inventory went 2 → 120 → 399 → 800, the order 2 → 3 → 120.
        let inventory = try #require(filings.first { $0.kind == .ceb621 })
        #expect(try await store.receipts(filingID: inventory.id).filter(\.moved).map(\.returnStatus) == ["2", "120", "399", "800"])
        let order = try #require(filings.first { $0.kind == .ceb311 })
        #expect(try await store.receipts(filingID: order.id).filter(\.moved).map(\.returnStatus) == ["2", "3", "120"])
        // Tax and FX: received (1), then recorded (2) → stored.
        for kind in [MessageKind.taxImport, .fxPayment] {
            let filing = try #require(filings.first { $0.kind == kind })
            #expect(filing.status == .stored)
            #expect(try await store.receipts(filingID: filing.id).filter(\.moved).map(\.returnStatus).last == "2")
        }
    }

    @Test func submittingTheSameOrderAgainFilesNothingTwice() async throws {
        let folder = try Harness.temporaryFolder("resubmit")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let file = try #require(try Harness.orderFiles().first)
        let first = try await environment.intake.submit(json: Data(contentsOf: file))
        let second = try await environment.intake.submit(json: Data(contentsOf: file))
        #expect(first.isNew)
        #expect(!second.isNew)
        #expect(first.filings.map(\.id) == second.filings.map(\.id))
        #expect(try await environment.store.filings(status: nil, limit: 100).count == 6)
    }
}
