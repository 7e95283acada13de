import Foundation
import Testing
import YidanCore
@testable import YidanStore

/// Group commit (GroupCommit.swift): orders in one transaction, run again
/// with each in its own savepoint when one is refused; real SQLite files. The batch tests call `commit` directly, so the
/// batch's make-up is fixed rather than left to timing.
@Suite("Group commit of accepted orders")
struct GroupCommitTests {
    @Test("one batch: an order over the allowance in mid-batch is refused alone; the others commit, totals exact")
    func allowanceOverflowMidBatch() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let batch = [
            Fixture.submission("ORDER-1", amount: 10_000),
            Fixture.submission("ORDER-2", amount: 10_000),
            Fixture.submission("ORDER-3", amount: 10_000),  // 30,000 > 26,000: refused
            Fixture.submission("ORDER-4", amount: 6_000),  // 26,000: exactly the limit
        ]
        let outcomes = await store.acceptQueue.commit(batch)
        #expect(outcomes.count == 4)
        for index in [0, 1, 3] {
            #expect(try outcomes[index].get() == .accepted(filingIDs: batch[index].filings.map(\.id)))
        }
        let refused = outcomes[2]
        guard case .failure(let error) = refused else {
            Issue.record("ORDER-3 over the allowance was accepted")
            return
        }
        #expect((error as? YidanError)?.code == .notEligible)
        #expect(try await store.orderJSON(orderNo: "ORDER-3") == nil)
        #expect(try await store.filings(orderNo: "ORDER-3").isEmpty)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 26_000)
        for orderNo in ["ORDER-1", "ORDER-2", "ORDER-4"] {
            #expect(try await store.filings(orderNo: orderNo).count == 2)
        }
        #expect(store.acceptQueue.statistics.transactions == 1)
    }

    @Test("one batch: a duplicate order number inside the batch is 'already accepted', a clashing guid fails alone")
    func duplicatesInsideOneBatch() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let first = Fixture.submission("ORDER-1")
        var clash = Fixture.submission("ORDER-2")
        clash.filings[1] = first.filings[0]
        let outcomes = await store.acceptQueue.commit([first, Fixture.submission("ORDER-1"), clash, Fixture.submission("ORDER-3")])
        #expect(try outcomes[0].get() == .accepted(filingIDs: first.filings.map(\.id)))
        #expect(try outcomes[1].get() == .alreadyAccepted(filingIDs: first.filings.map(\.id)))
        #expect(throws: YidanError.self) { try outcomes[2].get() }
        if case .failure(let error) = outcomes[2] { #expect((error as? YidanError)?.code == .duplicate) }
        #expect(try outcomes[3].get() == .accepted(filingIDs: Fixture.submission("ORDER-3").filings.map(\.id)))
        #expect(try await store.filings(orderNo: "ORDER-2").isEmpty)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 200)
    }

    @Test("concurrent accepts of one buyer: exactly the orders that fit the allowance are accepted, each answered after its commit")
    func concurrentAllowanceIsExact() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let outcomes = await withTaskGroup(of: (Int, Result<AcceptOutcome, any Error>).self) { group in
            for n in 1...40 {
                group.addTask {
                    do {
                        return (n, .success(try await store.accept(Fixture.submission("ORDER-\(n)", amount: 1_000))))
                    } catch {
                        return (n, .failure(error))
                    }
                }
            }
            var outcomes: [Int: Result<AcceptOutcome, any Error>] = [:]
            for await (n, outcome) in group {
                outcomes[n] = outcome
                // Answered only after commit: a second, fresh connection already sees it.
                if case .success = outcome {
                    #expect((try? sqliteInChildProcess(path: folder.path, query: "SELECT count(*) FROM orders WHERE order_no = 'ORDER-\(n)'")) == "1")
                }
            }
            return outcomes
        }
        let accepted = outcomes.values.filter { if case .success = $0 { true } else { false } }.count
        let refused = outcomes.values.compactMap { outcome -> YidanError? in
            if case .failure(let error) = outcome { return error as? YidanError }
            return nil
        }
        #expect(accepted == 26)
        #expect(refused.count == 14 && refused.allSatisfy { $0.code == .notEligible })
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 26_000)
        let statistics = store.acceptQueue.statistics
        #expect(statistics.orders == 40)
        #expect(statistics.transactions >= 1 && statistics.transactions <= 40)
    }
}
