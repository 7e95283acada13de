import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: broker retries and the status-change log")
struct BrokerRetryTests {
    let t0 = Fixture.t0

    /// A filing delivered with `outcome` after one claim.
    func attempted(_ store: SQLiteFilingStore, _ orderNo: String, outcome: DeliveryOutcome) async throws -> String {
        _ = try await store.accept(Fixture.submission(orderNo, kinds: [.ceb311], buyer: orderNo))
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id
        try await store.completeAttempt(Fixture.attempt(id, at: t0), outcome: outcome, now: t0 + 1)
        return id
    }

    @Test("a dead filing goes back to the outbox, due at once, attempts and error kept, move logged")
    func retryDead() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await attempted(store, "ORDER-1", outcome: .dead(error: "HTTP 404"))
        let mark = try await store.lastStatusChangeID()

        let retried = try await store.retry(filingID: id, at: t0 + 100)
        #expect(retried.status == .queued)
        #expect(retried.attempts == 1)
        #expect(retried.lastError == "HTTP 404")
        #expect(retried.nextAttemptAt == t0 + 100)
        #expect(try await store.claimDue(now: t0 + 99, limit: 1, lease: .seconds(30)).isEmpty)
        #expect(try await store.claimDue(now: t0 + 100, limit: 1, lease: .seconds(30)).map(\.id) == [id])

        let changes = try await store.statusChanges(after: mark, limit: 10)
        #expect(changes.map(\.cause) == [.retry, .claim])
        #expect(changes.first?.from == .dead)
        #expect(changes.first?.to == .queued)
        #expect(changes.first?.at == t0 + 100)
    }

    @Test("refused: delivered, stored, released and content refusals; unknown ids")
    func refusals() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let delivered = try await attempted(store, "ORDER-1", outcome: .delivered)
        let error = await #expect(throws: YidanError.self) { try await store.retry(filingID: delivered, at: t0) }
        #expect(error?.code == .notEligible)
        #expect(error?.message.contains("delivered") == true)

        _ = try await store.applyReceipt(Fixture.receipt(for: delivered, status: "100")) { _ in .rejected }
        let content = await #expect(throws: YidanError.self) { try await store.retry(filingID: delivered, at: t0) }
        #expect(content?.message.contains("resubmit") == true)

        let missing = await #expect(throws: YidanError.self) { try await store.retry(filingID: "NOPE", at: t0) }
        #expect(missing?.code == .notFound)
        #expect(try await store.filing(id: delivered)?.status == .rejected)
    }

    @Test("a refusal in transport (returnStatus 4: the e-port could not reach customs) may be retried")
    func retryTransportRefusal() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let id = try await attempted(store, "ORDER-1", outcome: .delivered)
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "4")) { _ in .rejected }
        #expect(try await store.retry(filingID: id, at: t0 + 5).status == .queued)
    }

    @Test("retryAllDead requeues every dead filing and nothing else")
    func retryAll() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        let dead1 = try await attempted(store, "ORDER-1", outcome: .dead(error: "x"))
        let dead2 = try await attempted(store, "ORDER-2", outcome: .dead(error: "y"))
        let fine = try await attempted(store, "ORDER-3", outcome: .delivered)
        let retried = try await store.retryAllDead(at: t0 + 10)
        #expect(Set(retried.map(\.id)) == [dead1, dead2])
        #expect(try await store.filing(id: fine)?.status == .delivered)
        #expect(try await store.retryAllDead(at: t0 + 11).isEmpty)
    }

    @Test("every move is logged once, in order: store, claim, retry later, claim again, deliver, receipts")
    func logCompleteness() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        var submission = Fixture.submission("ORDER-1", kinds: [.ceb311])
        submission.merchant = "MERCHANT-A"
        _ = try await store.accept(submission)
        let id = try #require(try await store.claimDue(now: t0, limit: 1, lease: .seconds(30)).first).id
        try await store.completeAttempt(Fixture.attempt(id), outcome: .retry(at: t0 + 5, error: "timeout"), now: t0 + 1)
        _ = try await store.claimDue(now: t0 + 5, limit: 1, lease: .seconds(30))
        // The lease runs out and another dispatcher re-claims it: not a move.
        _ = try await store.claimDue(now: t0 + 40, limit: 1, lease: .seconds(30))
        try await store.completeAttempt(Fixture.attempt(id, number: 2), outcome: .delivered, now: t0 + 41)
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "2", at: t0 + 50)) { _ in .declaring }
        // A duplicate receipt moves nothing and logs nothing.
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "2", at: t0 + 51)) { _ in .declaring }
        _ = try await store.applyReceipt(Fixture.receipt(for: id, status: "120", at: t0 + 60)) { _ in .stored }
        // A late delivery result after a receipt does not move it either.
        try await store.completeAttempt(Fixture.attempt(id, number: 3), outcome: .delivered, now: t0 + 70)

        let log = try await store.statusChanges(after: 0, limit: 100)
        #expect(log.map { "\($0.from?.rawValue ?? "-")>\($0.to.rawValue)" } == [
            "->queued", "queued>sending", "sending>queued", "queued>sending", "sending>delivered",
            "delivered>declaring", "declaring>stored",
        ])
        #expect(log.map(\.cause) == [.stored, .claim, .delivery, .claim, .delivery, .receipt, .receipt])
        #expect(log.map(\.id) == log.map(\.id).sorted())
        #expect(log.allSatisfy { $0.filingID == id && $0.orderNo == "ORDER-1" && $0.merchant == "MERCHANT-A" && $0.kind == .ceb311 })
        #expect(log.last?.returnStatus == "120")
        #expect(log.last?.at == t0 + 60)
        #expect(try await store.statusChanges(after: log[4].id, limit: 1).map(\.id) == [log[5].id])
        #expect(try await store.lastStatusChangeID() == log.last?.id)
    }

    @Test("appended filings are logged; a rolled-back append logs nothing")
    func appendLogged() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1", kinds: [.ceb621]))
        let mark = try await store.lastStatusChangeID()
        let cancel = Fixture.filing("ORDER-1-CANCEL", .ceb623)
        try await store.appendFilings(orderNo: "ORDER-1", filings: [cancel], allowanceDelta: nil, at: t0 + 9)
        await #expect(throws: YidanError.self) {
            try await store.appendFilings(orderNo: "ORDER-1", filings: [Fixture.filing("X", .ceb625), cancel], allowanceDelta: nil, at: t0 + 10)
        }
        let log = try await store.statusChanges(after: mark, limit: 10)
        #expect(log.map(\.filingID) == [cancel.id])
        #expect(log.first?.cause == .stored)
    }
}
