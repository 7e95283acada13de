import Foundation
import Testing
import YidanCore
import YidanIngest
@testable import YidanRouter
import YidanSimulator
import YidanStore

/// Changes over time through the embedded deployment (real SQLite, libcurl,
/// loopback HTTP, the simulator's customs gateway and tax/FX desks): an import
/// order released then returned, and one cancelled, with every filing's final
/// status, receipts, reversals and the buyer's annual total asserted.
@Suite struct ChangeFlowTests {
    struct Flow {
        let folder: URL
        let environment: YidanEnvironment
        let deployment: EmbeddedDeployment
        let order: SubmitReceipt
        let buyerKey: String
        let year: Int
    }

    /// Submits the first fixture order and waits until its six filings are final.
    static func releasedOrder(_ name: String) async throws -> Flow {
        let folder = try Harness.temporaryFolder(name)
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(20))
        let file = try #require(try Harness.orderFiles().first)
        let json = try Data(contentsOf: file)
        let order = try await deployment.runtime.submit(json: json)
        let normalized = try NormalizedOrderJSON.decode(json)
        let released = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(environment.store).allSatisfy(Harness.isFinal)
        }
        #expect(released)
        for filing in try await environment.store.filings(orderNo: order.orderNo) {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? "")")
        }
        return Flow(
            folder: folder, environment: environment, deployment: deployment, order: order,
            buyerKey: OrderIntake.buyerKey(normalized.buyer),
            year: normalized.orderTime.fields(inOffset: ZonedDateTime.beijingOffsetSeconds).year
        )
    }

    static func rollup(_ filings: [FilingRecord]) -> OrderRollupStatus {
        OrderRollup.status(of: filings.map {
            FilingSummary(kind: $0.kind, status: $0.status, lastReturnStatus: $0.lastReturnStatus, lastReturnInfo: $0.lastReturnInfo, lastError: $0.lastError)
        })
    }

    /// The change's filings reach their final success; the first six stay as they were.
    static func expectChangeSettled(_ flow: Flow, _ change: OrderChangeReceipt, receipt: ReceiptKind) async throws -> [FilingRecord] {
        let store = flow.environment.store
        let settled = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        let filings = try await store.filings(orderNo: flow.order.orderNo)
        #expect(settled, "still open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        #expect(filings.count == 9)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) \(filing.purpose.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
        }
        let declared = Dictionary(uniqueKeysWithValues: flow.order.filings.map { ($0.kind, $0.id) })
        #expect(filings.prefix(6).map(\.purpose) == Array(repeating: .declare, count: 6))

        // The customs application: 2 → 120 → 399 (concluded), answered by its own receipt kind.
        let application = try #require(filings.first { $0.kind == change.kind.messageKind })
        #expect(application.id == change.filings.first?.id)
        #expect(application.purpose == (change.kind == .cancel ? .cancel : .return))
        #expect(application.supersedes == declared[.ceb621])
        #expect(application.status == .concluded)
        let receipts = try await store.receipts(filingID: application.id)
        #expect(receipts.filter(\.moved).map(\.returnStatus) == ["2", "120", "399"])
        #expect(receipts.allSatisfy { $0.kind == receipt })
        // It names the inventory by the number customs gave it.
        let payload = String(decoding: application.payload, as: UTF8.self)
        let inventoryNo = try await OrderChanges(intake: flow.environment.intake).inventoryNumbers(filingID: try #require(declared[.ceb621])).invtNo
        #expect(payload.contains("<ceb:invtNo>\(try #require(inventoryNo))</ceb:invtNo>"))

        // Tax and FX reversals: recorded (2 → stored), each naming the filing it reverses.
        for kind in [MessageKind.taxImport, .fxPayment] {
            let reversal = try #require(filings.first { $0.kind == kind && $0.purpose == .reversal })
            #expect(reversal.supersedes == declared[kind])
            #expect(reversal.status == .stored)
            #expect(String(decoding: reversal.payload, as: UTF8.self).contains(">\(try #require(declared[kind]))</"))
            #expect(try await store.receipts(filingID: reversal.id).filter(\.moved).map(\.returnStatus).last == "2")
            #expect(await flow.deployment.simulator.appliedCount(forIdempotencyKey: reversal.idempotencyKey) == 1)
        }
        // The declaration's own filings are untouched.
        for (kind, id) in declared {
            #expect(try await store.filing(id: id)?.status == kind.finalSuccess)
        }
        return filings
    }

    @Test func importReleaseReturnRestoresTheAllowance() async throws {
        let flow = try await Self.releasedOrder("return")
        defer { try? FileManager.default.removeItem(at: flow.folder) }
        let store = flow.environment.store
        let used = try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year)
        #expect(used > 0)

        // Past the window (31 days after release) a return is refused and nothing is written.
        let late = OrderChanges(intake: flow.environment.intake, clock: { ZonedDateTime(instant: Date().addingTimeInterval(31 * 24 * 3600), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds) })
        do {
            _ = try await late.returnGoods(orderNo: flow.order.orderNo, reason: "too late")
            Issue.record("a return after the window was filed")
        } catch let error as YidanError {
            #expect(error.code == .notEligible)
            #expect(error.message.contains("return window closed"))
        }
        #expect(try await store.filings(orderNo: flow.order.orderNo).count == 6)

        let change = try await flow.environment.changes.returnGoods(orderNo: flow.order.orderNo, reason: "damaged in transit")
        #expect(change.filings.map(\.kind) == [.ceb625, .taxImport, .fxPayment])
        #expect(change.filings.map(\.purpose) == [.return, .reversal, .reversal])
        #expect(change.allowanceRestored == used)
        // Restored in the same transaction that stored the return.
        #expect(try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year) == 0)

        let filings = try await Self.expectChangeSettled(flow, change, receipt: .ceb626)
        let stats = await flow.deployment.simulator.stats()
        await flow.deployment.stop()
        #expect(Self.rollup(filings) == .returned)
        #expect(stats.acceptedByKind["CEB625"] == 1)
        #expect(try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year) == 0)

        // A second return of the same order is refused.
        await #expect(throws: YidanError.self) {
            _ = try await flow.environment.changes.returnGoods(orderNo: flow.order.orderNo, reason: "again")
        }
    }

    @Test func submitThenCancelWithdrawsEveryFiling() async throws {
        let flow = try await Self.releasedOrder("cancel")
        defer { try? FileManager.default.removeItem(at: flow.folder) }
        let store = flow.environment.store
        let used = try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year)

        let change = try await flow.environment.changes.cancel(orderNo: flow.order.orderNo, reason: "buyer withdrew the order")
        #expect(change.filings.map(\.kind) == [.ceb623, .taxImport, .fxPayment])
        #expect(change.allowanceRestored == used)

        let filings = try await Self.expectChangeSettled(flow, change, receipt: .ceb624)
        await flow.deployment.stop()
        #expect(Self.rollup(filings) == .cancelled)
        #expect(try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year) == 0)
        // Cancelled goods cannot be returned.
        do {
            _ = try await flow.environment.changes.returnGoods(orderNo: flow.order.orderNo, reason: "after cancel")
            Issue.record("a cancelled order was returned")
        } catch let error as YidanError {
            #expect(error.code == .duplicate)
        }
    }

    @Test func cancelBeforeCustomsNumberedTheInventoryIsRefused() async throws {
        let folder = try Harness.temporaryFolder("cancel-early")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let file = try #require(try Harness.orderFiles().first)
        let order = try await environment.intake.submit(json: Data(contentsOf: file))
        do {
            _ = try await environment.changes.cancel(orderNo: order.orderNo, reason: "changed my mind")
            Issue.record("a cancel without an inventory number was filed")
        } catch let error as YidanError {
            #expect(error.code == .notEligible)
            #expect(error.message.contains("not numbered"))
        }
        do {
            _ = try await environment.changes.returnGoods(orderNo: order.orderNo, reason: "not released")
            Issue.record("a return of goods not released was filed")
        } catch let error as YidanError {
            #expect(error.code == .notEligible)
        }
        await #expect(throws: YidanError.self) {
            _ = try await environment.changes.cancel(orderNo: "NO-SUCH-ORDER", reason: "x")
        }
        #expect(try await environment.store.filings(orderNo: order.orderNo).count == 6)
    }
}
