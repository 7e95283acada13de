import Foundation
import Testing
import YidanCore
import YidanStore
import YidanStorePostgres

/// The `FilingStore` contract for orders, changes, receipts and tax bills,
/// run against every backend (`StoreBackend.all`).
@Suite("FilingStore conformance: orders, changes, receipts")
struct OrderConformanceTests {
    let t0 = Fixture.t0

    @Test("accept stores order and filings queued; a second accept of the order writes nothing", arguments: StoreBackend.all)
    func acceptOnce(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            let submission = Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb411, .ceb621])
            let ids = submission.filings.map(\.id)
            #expect(try await store.accept(submission) == .accepted(filingIDs: ids))
            #expect(try await store.accept(submission) == .alreadyAccepted(filingIDs: ids))
            let filings = try await store.filings(orderNo: "ORDER-1")
            #expect(filings.map(\.id) == ids)
            #expect(filings.allSatisfy { $0.status == .queued && $0.nextAttemptAt == t0 && $0.attempts == 0 && $0.createdAt == t0 })
            #expect(filings.first?.payload == submission.filings.first?.payload)
            #expect(try await store.orderJSON(orderNo: "ORDER-1") == submission.orderJSON)
            #expect(try await store.orderJSON(orderNo: "NONE") == nil)
            #expect(try await store.statusCounts() == [.queued: 3])
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
        }
    }

    @Test("the allowance is checked and added exactly; over the limit nothing is written", arguments: StoreBackend.all)
    func allowance(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", amount: Decimal(string: "25000.10")!))
            let code = await errorCode { _ = try await store.accept(Fixture.submission("ORDER-2", amount: Decimal(string: "999.91")!)) }
            #expect(code == .notEligible)
            #expect(try await store.filings(orderNo: "ORDER-2").isEmpty)
            #expect(try await store.orderJSON(orderNo: "ORDER-2") == nil)
            _ = try await store.accept(Fixture.submission("ORDER-3", amount: Decimal(string: "999.90")!))
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 26_000)
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2026) == 0)
        }
    }

    @Test("one buyer's orders accepted at once through two handles never go over the allowance", arguments: StoreBackend.all)
    func concurrentAllowance(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let other = try await scope.open()
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 1...10 {
                    let handle = n.isMultiple(of: 2) ? store : other
                    group.addTask {
                        do {
                            _ = try await handle.accept(Fixture.submission("ORDER-\(n)", kinds: [.ceb311], amount: 3_000))
                            return true
                        } catch let error as YidanError where error.code == .notEligible {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 8)
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 24_000)
            #expect(try await other.statusCounts() == [.queued: 8])
            try await closeIfPostgres(other)
        }
    }

    @Test("the same order accepted at once through two handles is stored once", arguments: StoreBackend.all)
    func concurrentSameOrder(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, scope in
            let other = try await scope.open()
            let submission = Fixture.submission("ORDER-1")
            let outcomes = try await withThrowingTaskGroup(of: AcceptOutcome.self) { group in
                for handle in [store, other, store, other] {
                    group.addTask { try await handle.accept(submission) }
                }
                return try await group.reduce(into: [AcceptOutcome]()) { $0.append($1) }
            }
            let ids = submission.filings.map(\.id)
            #expect(outcomes.filter { $0 == .accepted(filingIDs: ids) }.count == 1)
            #expect(outcomes.filter { $0 == .alreadyAccepted(filingIDs: ids) }.count == 3)
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
            try await closeIfPostgres(other)
        }
    }

    @Test("a reused idempotency key is a duplicate and the whole order is refused", arguments: StoreBackend.all)
    func duplicateKey(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
            var clash = Fixture.submission("ORDER-2", kinds: [.ceb311, .ceb411])
            clash.filings[1].idempotencyKey = "key-ORDER-1-CEB311"
            #expect(await errorCode { _ = try await store.accept(clash) } == .duplicate)
            #expect(try await store.orderJSON(orderNo: "ORDER-2") == nil)
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 100)
        }
    }

    @Test("appendFilings adds queued filings and moves the allowance, all or nothing", arguments: StoreBackend.all)
    func append(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb621], amount: 500))
            let inventory = Fixture.guid("ORDER-1-CEB621")
            let cancel = Fixture.filing("cancel-1", .ceb623, purpose: .cancel, supersedes: inventory)
            let credit = AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: -800, limit: Fixture.annualLimit)
            try await store.appendFilings(orderNo: "ORDER-1", filings: [cancel], allowanceDelta: credit, at: t0 + 60)
            let filings = try await store.filings(orderNo: "ORDER-1")
            #expect(filings.map(\.id) == [Fixture.guid("ORDER-1-CEB311"), inventory, cancel.id])
            #expect(filings.last?.purpose == .cancel && filings.last?.supersedes == inventory && filings.last?.nextAttemptAt == t0 + 60)
            // Restored, never below zero.
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 0)

            #expect(await errorCode {
                try await store.appendFilings(orderNo: "NONE", filings: [Fixture.filing("x", .ceb623)], allowanceDelta: nil, at: t0)
            } == .notFound)
            _ = try await store.accept(Fixture.submission("ORDER-2", kinds: [.ceb311]))
            let foreign = Fixture.filing("cancel-2", .ceb623, purpose: .cancel, supersedes: inventory)
            #expect(await errorCode {
                try await store.appendFilings(orderNo: "ORDER-2", filings: [foreign], allowanceDelta: nil, at: t0)
            } == .notFound)
            let over = AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: 30_000, limit: Fixture.annualLimit)
            #expect(await errorCode {
                try await store.appendFilings(orderNo: "ORDER-2", filings: [Fixture.filing("y", .ceb625)], allowanceDelta: over, at: t0)
            } == .notEligible)
            #expect(await errorCode {
                try await store.appendFilings(orderNo: "ORDER-2", filings: [Fixture.filing("cancel-1", .ceb623)], allowanceDelta: nil, at: t0)
            } == .duplicate)
            #expect(try await store.filings(orderNo: "ORDER-2").count == 1)
        }
    }

    @Test("amendOrder replaces the order JSON, queues the new version and moves the allowance", arguments: StoreBackend.all)
    func amend(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311], amount: 100))
            let first = Fixture.guid("ORDER-1-CEB311")
            let version = Fixture.filing("amend-1", .ceb311, purpose: .amend, supersedes: first)
            let json = Data(#"{"orderNo":"ORDER-1","amended":true}"#.utf8)
            let raise = AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: 50, limit: Fixture.annualLimit)
            try await store.amendOrder(orderNo: "ORDER-1", orderJSON: json, filings: [version], allowanceDelta: raise, at: t0 + 5)
            #expect(try await store.orderJSON(orderNo: "ORDER-1") == json)
            #expect(try await store.allowanceUsed(buyerKey: "buyer-hash-1", year: 2025) == 150)
            #expect(FilingVersions.latest(.ceb311, in: try await store.filings(orderNo: "ORDER-1"))?.id == version.id)
            let tooMuch = AllowanceUse(buyerKey: "buyer-hash-1", year: 2025, amount: 26_000, limit: Fixture.annualLimit)
            #expect(await errorCode {
                try await store.amendOrder(orderNo: "ORDER-1", orderJSON: Data("{}".utf8), filings: [], allowanceDelta: tooMuch, at: t0)
            } == .notEligible)
            #expect(try await store.orderJSON(orderNo: "ORDER-1") == json)
            #expect(await errorCode {
                try await store.amendOrder(orderNo: "NONE", orderJSON: json, filings: [], allowanceDelta: nil, at: t0)
            } == .notFound)
        }
    }

    @Test("receipts: unmatched kept, matched ones advance or are recorded only; payloads, invtNo and entryId found", arguments: StoreBackend.all)
    func receipts(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311, .ceb621]))
            let order = Fixture.guid("ORDER-1-CEB311")
            let inventory = Fixture.guid("ORDER-1-CEB621")
            #expect(try await store.applyReceipt(Fixture.receipt(for: "UNKNOWN-GUID")) { _ in .stored } == .unmatched)
            #expect(try await store.unmatchedReceipts(limit: 10).map(\.returnStatus) == ["2"])

            // Matched case-insensitively; the lease and next attempt are cleared on leaving the outbox.
            let effect = try await store.applyReceipt(Fixture.receipt(for: " " + order.lowercased(), status: "120", at: t0 + 9)) { filing in
                filing.status == .queued ? .stored : nil
            }
            #expect(effect == .advanced(filingID: order, from: .queued, to: .stored))
            let stored = try #require(try await store.filing(id: order))
            #expect(stored.status == .stored && stored.lastReturnStatus == "120" && stored.nextAttemptAt == nil && stored.updatedAt == t0 + 9)
            #expect(try await store.applyReceipt(Fixture.receipt(for: order, status: "2")) { _ in nil } == .recordedOnly(filingID: order, status: .stored))
            #expect(try await store.filing(id: order)?.lastReturnStatus == "120")
            #expect(try await store.applyReceipt(Fixture.receipt(for: order, status: "120", info: "again")) { _ in .stored }
                == .recordedOnly(filingID: order, status: .stored))
            #expect(try await store.filing(id: order)?.lastReturnInfo == "again")
            #expect(try await store.receipts(filingID: order).map(\.moved) == [true, false, false])

            _ = try await store.applyReceipt(Fixture.receipt(for: inventory, kind: .ceb622, status: "800", invtNo: "INVT-7")) { _ in .released }
            _ = try await store.applyReceipt(Fixture.receipt(for: inventory, kind: .ceb792, status: "1", entryId: "ENTRY-1")) { _ in nil }
            #expect(try await store.receiptPayloads(filingID: inventory).count == 2)
            #expect(try await store.orderNo(forInvtNo: "INVT-7") == "ORDER-1")
            #expect(try await store.orderNo(forInvtNo: "INVT-8") == nil)
            #expect(try await store.entryId(orderNo: "ORDER-1") == "ENTRY-1")
            #expect(try await store.entryId(orderNo: "ORDER-2") == nil)
        }
    }

    @Test("tax bills are kept per order and unmatched ones are listed newest first", arguments: StoreBackend.all)
    func taxBills(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in
            _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb311]))
            let difference = TaxBillRecord.Difference(kind: "itemValue", field: "valueAddedTax", gnum: 1, expected: "9.10", billed: "9.11")
            let matched = TaxBillRecord(
                guid: "G1", taxNo: "TAX-1", invtNo: "INVT-1", orderNo: "ORDER-1", status: .differs, differences: [difference],
                raw: Data("<CEB816/>".utf8), receivedAt: t0, channel: "http"
            )
            try await store.recordTaxBill(matched)
            for n in 2...3 {
                try await store.recordTaxBill(TaxBillRecord(
                    guid: "G\(n)", taxNo: "TAX-\(n)", invtNo: "INVT-\(n)", orderNo: nil, status: .unmatched, differences: [],
                    note: "no order", raw: Data(), receivedAt: t0 + Double(n), channel: "inbox"
                ))
            }
            let bills = try await store.taxBills(orderNo: "ORDER-1")
            #expect(bills.count == 1)
            #expect(bills.first?.differences == [difference] && bills.first?.status == .differs && bills.first?.id ?? 0 > 0)
            #expect(try await store.unmatchedTaxBills(limit: 10).map(\.guid) == ["G3", "G2"])
            #expect(try await store.unmatchedTaxBills(limit: 10).first?.note == "no order")
        }
    }
}
