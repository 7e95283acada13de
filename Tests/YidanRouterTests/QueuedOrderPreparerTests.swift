import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRouter
import YidanStore

/// `QueuedOrderPreparer.drain` on a real SQLite store (no dispatcher running:
/// filings stay in the outbox, which is what is counted).
@Suite("Queued orders are filed once by the preparer")
struct QueuedOrderPreparerTests {
    static func queued(_ json: Data) throws -> QueuedOrderSubmission {
        let order = try NormalizedOrderJSON.decode(json)
        return QueuedOrderSubmission(orderNo: order.orderNo, merchant: order.enterprises.ebcCode, orderJSON: json, receivedAt: Date())
    }

    @Test("waiting orders are filed; one already filed before a crash is marked, not filed twice; a bad one is refused")
    func drainFilesOnce() async throws {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("preparer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runtime = try RouterRuntime(environment: environment, settings: RunSettings(gatewayURL: "http://127.0.0.1:9/unused"))
        let queue = try #require(environment.store as? any OrderQueueStore)
        let files = try RouterHarness.orderFiles().filter { !$0.lastPathComponent.contains("export") }.prefix(3)
        try #require(files.count == 3)
        let bodies = try files.map { try Data(contentsOf: $0) }
        for body in bodies { #expect(try await queue.enqueue(Self.queued(body)) == .queued) }

        // The crash window: the first order was filed, then the process died before marking its row.
        let early = try await environment.intake.submit(json: bodies[0])
        // And one order whose payment does not add up.
        var object = try #require(try JSONSerialization.jsonObject(with: bodies[1]) as? [String: Any])
        object["orderNo"] = "PREP-BAD"
        var payment = try #require(object["payment"] as? [String: Any])
        payment["amount"] = "1.00"
        object["payment"] = payment
        #expect(try await queue.enqueue(Self.queued(try JSONSerialization.data(withJSONObject: object))) == .queued)

        let preparer = QueuedOrderPreparer(runtime: runtime, queue: queue, parallelism: 2)
        #expect(await preparer.drain() == 4)
        #expect(try await queue.queueCounts() == [.filed: 3, .refused: 1])
        let firstFilings = try await environment.store.filings(orderNo: early.orderNo)
        #expect(Set(firstFilings.map(\.id)) == Set(early.filings.map(\.id)), "the early filing is the only one")
        for body in bodies {
            let orderNo = try NormalizedOrderJSON.decode(body).orderNo
            #expect(try await environment.store.filings(orderNo: orderNo).count == OrderIntake.importFilings.count)
        }
        let refused = try #require(try await queue.queuedOrder(orderNo: "PREP-BAD"))
        #expect(refused.problem?.contains("/payment/amount") == true, "\(refused.problem ?? "")")
        #expect(try await environment.store.filings(orderNo: "PREP-BAD").isEmpty)
        #expect(await preparer.drain() == 0, "nothing left")
    }
}
