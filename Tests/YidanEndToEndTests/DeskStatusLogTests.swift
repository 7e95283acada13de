import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanSimulator
import YidanStore

/// The status-change log over a real run (intake → outbox → libcurl →
/// simulator → receipts): every move of every filing appears exactly once,
/// in commit order, and the moves of a filing chain up to where it ended.
@Suite struct DeskStatusLogTests {
    @Test func everyStatusMoveOfARunIsLoggedOnceInOrder() async throws {
        let folder = try Harness.temporaryFolder("desk-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let store = try #require(environment.store as? any BrokerStore)
        // One refused request, so retries (sending → queued → sending) are in the log too.
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(20),
            faults: FaultPlan(failNext: 1, failStatus: 503, retryAfterSeconds: 1)
        )
        let file = try #require(try Harness.orderFiles().first)
        _ = try await deployment.runtime.submit(json: Data(contentsOf: file))
        let done = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        await deployment.stop()
        #expect(done)

        let filings = try await Harness.allFilings(store)
        var log: [StatusChange] = []
        var after: Int64 = 0
        while true {
            let page = try await store.statusChanges(after: after, limit: 7)
            guard let last = page.last else { break }
            log += page
            after = last.id
        }
        #expect(log.map(\.id) == log.map(\.id).sorted())
        #expect(Set(log.map(\.id)).count == log.count)
        #expect(log.contains { $0.cause == .delivery && $0.to == .queued }, "the refused request's retry is logged")
        for filing in filings {
            let moves = log.filter { $0.filingID == filing.id }
            // A chain: first stored (from nil), each next from where the last went, ending at the current status.
            #expect(moves.first?.from == nil && moves.first?.to == .queued && moves.first?.cause == .stored)
            for (earlier, later) in zip(moves, moves.dropFirst()) {
                #expect(later.from == earlier.to, "\(filing.kind.rawValue): \(earlier.to.rawValue) then \(later.from?.rawValue ?? "nil")")
                #expect(later.from != later.to)
            }
            #expect(moves.last?.to == filing.status)
            // Each receipt that moved the filing is one logged move with its returnStatus.
            let moved = try await store.receipts(filingID: filing.id).filter(\.moved).map(\.returnStatus)
            #expect(moves.filter { $0.cause == .receipt }.compactMap(\.returnStatus) == moved, "\(filing.kind.rawValue)")
            let attempts = try await store.attempts(filingID: filing.id).count
            #expect(moves.filter { $0.cause == .claim }.count == attempts, "\(filing.kind.rawValue): one claim per attempt")
            #expect(moves.allSatisfy { $0.orderNo == filing.orderNo && $0.kind == filing.kind && $0.merchant != nil })
        }
        #expect(log.count == Set(filings.map(\.id)).reduce(0) { count, id in count + log.filter { $0.filingID == id }.count })
    }
}
