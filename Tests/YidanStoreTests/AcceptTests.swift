import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: accepting orders")
struct AcceptTests {
    @Test("an accepted order reads back with its filings queued and due at acceptance")
    func acceptAndReadBack() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let submission = Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb411, .ceb511, .ceb621])

        let outcome = try await store.accept(submission)
        let ids = submission.filings.map(\.id)
        #expect(outcome == .accepted(filingIDs: ids))

        let filings = try await store.filings(orderNo: "ORDER-1")
        #expect(filings.map(\.id) == ids)
        #expect(filings.map(\.kind) == [.ceb311, .ceb411, .ceb511, .ceb621])
        for (record, prepared) in zip(filings, submission.filings) {
            #expect(record.status == .queued)
            #expect(record.payload == prepared.payload)
            #expect(record.idempotencyKey == prepared.idempotencyKey)
            #expect(record.attempts == 0)
            #expect(record.nextAttemptAt == Fixture.t0)
            #expect(record.leaseUntil == nil)
            #expect(record.createdAt == Fixture.t0)
            #expect(record.orderNo == "ORDER-1")
        }
        #expect(try await store.filing(id: ids[0]) == filings[0])
        #expect(try await store.filing(id: Fixture.guid("nothing")) == nil)
        #expect(try await store.orderJSON(orderNo: "ORDER-1") == submission.orderJSON)
        #expect(try await store.orderJSON(orderNo: "ORDER-2") == nil)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2024) == 0)
        #expect(try await store.statusCounts() == [.queued: 4])
        #expect(try await store.nextDueTime() == Fixture.t0)
    }

    @Test("the same order number again writes nothing and returns the first filing ids")
    func duplicateOrder() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let first = Fixture.submission("ORDER-1")
        _ = try await store.accept(first)

        // Same order number, freshly mapped: new guids and keys, a later time.
        var again = Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb411, .ceb621], at: Fixture.t0 + 60)
        again.filings = again.filings.map { Fixture.filing("second-\($0.id)", $0.kind) }
        let outcome = try await store.accept(again)

        #expect(outcome == .alreadyAccepted(filingIDs: first.filings.map(\.id)))
        #expect(try await store.filings(status: nil, limit: 100).count == 2)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
    }

    @Test("over the annual allowance: not eligible, amounts in the message, nothing written")
    func allowanceOverLimit() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", amount: Decimal(string: "20000.10")!))

        let error = await #expect(throws: YidanError.self) {
            try await store.accept(Fixture.submission("ORDER-2", amount: Decimal(string: "5999.91")!))
        }
        #expect(error?.code == .notEligible)
        #expect(error?.message.contains("20000.1") == true)
        #expect(error?.message.contains("5999.91") == true)
        #expect(error?.message.contains("26000") == true)
        #expect(error?.message.contains("buyer-hash") == false)

        #expect(try await store.orderJSON(orderNo: "ORDER-2") == nil)
        #expect(try await store.filings(orderNo: "ORDER-2").isEmpty)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == Decimal(string: "20000.10")!)

        // Exactly up to the limit is allowed, and decimals add exactly.
        _ = try await store.accept(Fixture.submission("ORDER-3", amount: Decimal(string: "5999.90")!))
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 26_000)
        // Another buyer and another year are separate.
        _ = try await store.accept(Fixture.submission("ORDER-4", buyer: "buyer-hash-2", amount: 500))
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-2", year: 2025) == 500)
    }

    @Test("an order without an allowance use (not a personal import) is accepted without touching allowances")
    func noAllowance() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        var submission = Fixture.submission("ORDER-1")
        submission.allowance = nil
        #expect(try await store.accept(submission) == .accepted(filingIDs: submission.filings.map(\.id)))
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 0)
    }

    @Test("a filing guid already stored for another order is a duplicate error and rolls the order back")
    func duplicateFilingID() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let first = Fixture.submission("ORDER-1")
        _ = try await store.accept(first)
        var clash = Fixture.submission("ORDER-2")
        clash.filings[1] = first.filings[0]

        let error = await #expect(throws: YidanError.self) { try await store.accept(clash) }
        #expect(error?.code == .duplicate)
        #expect(try await store.orderJSON(orderNo: "ORDER-2") == nil)
        #expect(try await store.filings(orderNo: "ORDER-2").isEmpty)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
    }

    @Test("50 orders accepted concurrently all land, and the shared allowance adds up exactly")
    func concurrentAccepts() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let outcomes = try await withThrowingTaskGroup(of: AcceptOutcome.self) { group in
            for n in 1...50 {
                group.addTask {
                    try await store.accept(Fixture.submission("ORDER-\(n)", amount: Decimal(string: "10.01")!))
                }
            }
            var outcomes: [AcceptOutcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.count == 50)
        #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
        #expect(try await store.statusCounts() == [.queued: 100])
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == Decimal(string: "500.50")!)
        for n in 1...50 {
            #expect(try await store.filings(orderNo: "ORDER-\(n)").count == 2)
        }
    }

    @Test("listing by status is newest first and nil lists all")
    func listing() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        for n in 1...3 {
            _ = try await store.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], at: Fixture.t0 + Double(n)))
        }
        let all = try await store.filings(status: nil, limit: 10)
        #expect(all.map(\.orderNo) == ["ORDER-3", "ORDER-2", "ORDER-1"])
        #expect(try await store.filings(status: nil, limit: 2).map(\.orderNo) == ["ORDER-3", "ORDER-2"])
        #expect(try await store.filings(status: .queued, limit: 10).count == 3)
        #expect(try await store.filings(status: .delivered, limit: 10).isEmpty)
        #expect(try await store.filings(status: nil, limit: 0).isEmpty)
    }
}
