import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: filings added to an accepted order")
struct AppendFilingsTests {
    static func change(_ seed: String, _ kind: MessageKind, _ purpose: FilingPurpose, supersedes: String? = nil) -> PreparedFiling {
        var filing = Fixture.filing(seed, kind)
        filing.purpose = purpose
        filing.supersedes = supersedes
        return filing
    }

    @Test("a return's filings are queued next to the declaration and the allowance is restored")
    func returnRestoresAllowance() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let submission = Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb621, .taxImport], amount: 300)
        _ = try await store.accept(submission)
        let taxID = submission.filings[2].id
        let later = Fixture.t0.addingTimeInterval(3600)
        let added = [
            Self.change("ORDER-1-return", .ceb625, .return),
            Self.change("ORDER-1-tax-reversal", .taxImport, .reversal, supersedes: taxID),
        ]

        try await store.appendFilings(
            orderNo: "ORDER-1", filings: added,
            allowanceDelta: AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: -300, limit: Fixture.annualLimit),
            at: later
        )

        let filings = try await store.filings(orderNo: "ORDER-1")
        #expect(filings.map(\.kind) == [.ceb311, .ceb621, .taxImport, .ceb625, .taxImport])
        #expect(filings.map(\.purpose) == [.declare, .declare, .declare, .return, .reversal])
        #expect(filings[4].supersedes == taxID)
        #expect(filings[3].status == .queued && filings[3].nextAttemptAt == later && filings[3].createdAt == later)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 0)
        #expect(try await store.filing(id: added[1].id)?.purpose == .reversal)
    }

    @Test("a restored allowance never goes below zero; a raised one is checked against the limit")
    func allowanceBounds() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", amount: 100, limit: 500))
        try await store.appendFilings(
            orderNo: "ORDER-1", filings: [Self.change("amend-1", .ceb311, .amend)],
            allowanceDelta: AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: 350, limit: 500), at: Fixture.t0
        )
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 450)

        await #expect(throws: YidanError.self) {
            try await store.appendFilings(
                orderNo: "ORDER-1", filings: [Self.change("amend-2", .ceb311, .amend)],
                allowanceDelta: AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: 51, limit: 500), at: Fixture.t0
            )
        }
        // Nothing of the refused change was written.
        #expect(try await store.filing(id: Fixture.guid("amend-2")) == nil)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 450)

        try await store.appendFilings(
            orderNo: "ORDER-1", filings: [Self.change("return-1", .ceb625, .return)],
            allowanceDelta: AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: -1000, limit: 500), at: Fixture.t0
        )
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 0)
    }

    @Test("unknown orders, foreign superseded filings and reused keys are refused whole")
    func refusals() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let one = Fixture.submission("ORDER-1")
        _ = try await store.accept(one)
        _ = try await store.accept(Fixture.submission("ORDER-2", buyer: "buyer-hash-2"))

        do {
            try await store.appendFilings(orderNo: "ORDER-9", filings: [Self.change("x", .ceb623, .cancel)], allowanceDelta: nil, at: Fixture.t0)
            Issue.record("an unknown order was changed")
        } catch let error as YidanError {
            #expect(error.code == .notFound)
        }
        do {
            let foreign = Self.change("y", .taxImport, .reversal, supersedes: one.filings[0].id)
            try await store.appendFilings(orderNo: "ORDER-2", filings: [foreign], allowanceDelta: nil, at: Fixture.t0)
            Issue.record("a filing of another order was reversed")
        } catch let error as YidanError {
            #expect(error.code == .notFound)
        }
        do {
            let reused = Self.change("ORDER-1-CEB311", .ceb623, .cancel)
            try await store.appendFilings(
                orderNo: "ORDER-1", filings: [Self.change("fresh", .ceb623, .cancel), reused],
                allowanceDelta: AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: -100, limit: 26_000), at: Fixture.t0
            )
            Issue.record("a reused id was stored")
        } catch let error as YidanError {
            #expect(error.code == .duplicate)
        }
        #expect(try await store.filings(orderNo: "ORDER-1").count == 2)
        #expect(try await store.filings(orderNo: "ORDER-2").count == 2)
        #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
    }
}
