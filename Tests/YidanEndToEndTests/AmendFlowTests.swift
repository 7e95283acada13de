import Foundation
import Testing
import YidanCore
import YidanIngest
@testable import YidanRouter
import YidanSimulator
import YidanStore

/// Amend → cancel through the embedded deployment (real SQLite, libcurl,
/// loopback HTTP, the simulator's customs gateway and tax/FX desks): a
/// released order's price is corrected, its new versions are released and
/// recorded next to the old ones, then the order is cancelled; every filing's
/// final status — superseded versions included — is asserted.
@Suite struct AmendFlowTests {
    @Test func releasedAmendedThenCancelled() async throws {
        let flow = try await ChangeFlowTests.releasedOrder("amend")
        defer { try? FileManager.default.removeItem(at: flow.folder) }
        let store = flow.environment.store
        let orderNo = flow.order.orderNo
        let declared = Dictionary(uniqueKeysWithValues: flow.order.filings.map { ($0.kind, $0.id) })
        var declaredReceipts: [String: Int] = [:]
        for (_, id) in declared { declaredReceipts[id] = try await store.receipts(filingID: id).count }

        // The price of the one wine line is corrected: 2 × 268.00 → 2 × 250.00.
        let json = try Data(contentsOf: try #require(try Harness.orderFiles().first))
        var order = try NormalizedOrderJSON.decode(json)
        #expect(order.orderNo == orderNo)
        order.items[0].unitPrice = try #require(Decimal(string: "250.00"))
        order.items[0].totalPrice = try #require(Decimal(string: "500.00"))
        order.goodsValue = order.items[0].totalPrice
        let tax = try CompositeTax.compute(order: order, rates: flow.environment.taxRates, annualUsedBefore: 0)
        order.payment.amount = order.goodsValue + order.freight + tax.total - order.discount

        let amendment = try await flow.environment.changes.amend(json: NormalizedOrderJSON.encode(order))
        #expect(amendment.filings.map(\.kind) == [.ceb311, .ceb411, .ceb621, .taxImport, .taxImport, .fxPayment, .fxPayment])
        #expect(amendment.unchanged == [.ceb511])
        #expect(try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year) == order.goodsValue + order.freight)

        // Every filing settles: the new versions at their final success, the old ones as they were.
        let settled = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        var filings = try await store.filings(orderNo: orderNo)
        #expect(settled, "still open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")
        #expect(filings.count == 13)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) \(filing.purpose.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
        }
        let amended = Dictionary(uniqueKeysWithValues: amendment.filings.filter { $0.purpose == .amend }.map { ($0.kind, $0.id) })
        let inventory = try #require(amended[.ceb621])
        // The amended inventory went through the whole match again: 2, 120, 399, 800.
        #expect(try await store.receipts(filingID: inventory).filter(\.moved).map(\.returnStatus) == ["2", "120", "399", "800"])
        for kind in [MessageKind.taxImport, .fxPayment] {
            #expect(try await store.receipts(filingID: try #require(amended[kind])).filter(\.moved).map(\.returnStatus) == ["1", "2"])
        }
        // History keeps every first version with its receipts, unchanged.
        for (id, count) in declaredReceipts {
            #expect(try await store.receipts(filingID: id).count == count)
        }
        #expect(FilingVersions.supersededIDs(filings) == Set([.ceb311, .ceb411, .ceb621, .taxImport, .fxPayment].compactMap { declared[$0] }))
        #expect(ChangeFlowTests.rollup(FilingVersions.latest(filings)) == .released)
        let stats = await flow.deployment.simulator.stats()
        #expect(stats.acceptedByKind["CEB311"] == 2)
        #expect(stats.acceptedByKind["CEB511"] == 1)
        #expect(stats.acceptedByKind["CEB621"] == 2)

        // Cancel: CEB623 names the amended inventory; the latest tax and FX records are reversed.
        let cancel = try await flow.environment.changes.cancel(orderNo: orderNo, reason: "buyer withdrew the order")
        #expect(cancel.filings.map(\.kind) == [.ceb623, .taxImport, .fxPayment])
        #expect(cancel.filings.map(\.purpose) == [.cancel, .reversal, .reversal])
        #expect(try await store.allowanceUsed(buyerKey: flow.buyerKey, year: flow.year) == 0)
        let cancelled = try await Harness.eventually(timeout: .seconds(60)) {
            try await Harness.allFilings(store).allSatisfy(Harness.isFinal)
        }
        filings = try await store.filings(orderNo: orderNo)
        await flow.deployment.stop()
        #expect(cancelled)
        #expect(filings.count == 16)
        let application = try #require(filings.first { $0.kind == .ceb623 })
        #expect(application.supersedes == inventory)
        #expect(application.status == .concluded)
        for kind in [MessageKind.taxImport, .fxPayment] {
            let reversal = try #require(filings.last { $0.kind == kind && $0.purpose == .reversal })
            #expect(reversal.supersedes == amended[kind])
        }

        // Every filing's final status: 4 first versions superseded but released/stored, the
        // unchanged waybill, 5 amended versions, 4 reversals and the approved cancel.
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) \(filing.purpose.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
        }
        let byPurpose = Dictionary(grouping: filings, by: \.purpose).mapValues(\.count)
        #expect(byPurpose == [.declare: 6, .amend: 5, .reversal: 4, .cancel: 1])
        #expect(Dictionary(grouping: filings.filter { $0.purpose == .declare }, by: \.kind).mapValues { $0.map(\.status) } == [
            .ceb311: [.stored], .ceb411: [.stored], .ceb511: [.stored], .ceb621: [.released], .taxImport: [.stored], .fxPayment: [.stored],
        ])
        #expect(ChangeFlowTests.rollup(FilingVersions.latest(filings)) == .cancelled)

        // Nothing more to amend once cancelled.
        await #expect(throws: YidanError.self) { _ = try await flow.environment.changes.amend(order) }
    }
}
