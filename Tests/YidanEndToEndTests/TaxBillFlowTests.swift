import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRouter
import YidanSimulator
import YidanStore

/// Customs' tax bill (CEB816) after a release, through the simulator and the
/// receipt callback into the store, reconciled against the tax yidan withheld.
@Suite struct TaxBillFlowTests {
    struct Outcome {
        var orderNo: String
        var bills: [TaxBillRecord]
        var statusOutput: String
        var statusCode: Int32
        var sentBills: Int
    }

    /// Files one order through the embedded deployment until its inventory is
    /// released and its tax bill is stored, then runs `yidan status` on the store.
    static func run(_ fixture: String, faults: FaultPlan) async throws -> Outcome {
        let folder = try Harness.temporaryFolder("taxbill")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("yidan.sqlite").path
        let environment = try YidanEnvironment(storePath: storePath, mappingsPath: Harness.mappings.path)
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(20), faults: faults, taxRates: environment.taxRates
        )
        let file = Harness.orders.appendingPathComponent(fixture)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        _ = try await deployment.runtime.submit(json: Data(contentsOf: file))
        let store = environment.store
        let billed = try await Harness.eventually(timeout: .seconds(90)) {
            try await !store.taxBills(orderNo: order.orderNo).isEmpty
        }
        await deployment.simulator.waitUntilIdle()
        let stats = await deployment.simulator.stats()
        await deployment.stop()
        #expect(billed, "no tax bill stored for \(order.orderNo)")
        let bills = try await store.taxBills(orderNo: order.orderNo)
        let status = try await YidanProcess.run(["status", order.orderNo, "--store", storePath], folder: folder, name: "status")
        return Outcome(
            orderNo: order.orderNo, bills: bills, statusOutput: status.stdout + status.stderr, statusCode: status.status,
            sentBills: stats.receiptsByKind["CEB816"] ?? 0
        )
    }

    @Test func aReleasedOrdersTaxBillIsReconciledWithoutDifferences() async throws {
        let outcome = try await Self.run("three-items-9610.json", faults: .none)
        #expect(outcome.sentBills == 1)
        let bill = try #require(outcome.bills.first)
        #expect(outcome.bills.count == 1)
        #expect(bill.status == .reconciled, "\(bill.differences.map(\.summary)) \(bill.note ?? "")")
        #expect(bill.differences.isEmpty)
        #expect(bill.orderNo == outcome.orderNo)
        #expect(bill.invtNo.count == 18)
        #expect(String(decoding: bill.raw, as: UTF8.self).contains("CEB816Message"))
        #expect(outcome.statusCode == 0)
        #expect(outcome.statusOutput.contains("tax bill \(bill.taxNo): reconciled"), "\(outcome.statusOutput)")
    }

    @Test func aDeliberateVarianceIsRecordedAndShownByStatus() async throws {
        let outcome = try await Self.run("three-items-9610.json", faults: FaultPlan(taxBillVariance: true))
        let bill = try #require(outcome.bills.first)
        #expect(bill.status == .differs)

        // What yidan withheld for item 1, computed independently of the simulator.
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: Harness.orders.appendingPathComponent("three-items-9610.json")))
        let csv = try String(contentsOf: Harness.mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8)
        let tax = try CompositeTax.compute(order: order, rates: TaxRateTable(csv: csv), annualUsedBefore: 0)
        let item = try #require(tax.items.first)
        let expected = Money.format(item.vat, minScale: 2)
        let billed = Money.format(item.vat + TaxBillDocument.varianceAmount, minScale: 2)

        // The item's VAT, with both amounts; and the bill's head no longer adds up from its items.
        #expect(bill.differences.contains(TaxBillRecord.Difference(
            kind: "itemValue", field: "valueAddedTax", gnum: 1, expected: expected, billed: billed
        )), "\(bill.differences)")
        #expect(bill.differences.contains { $0.kind == "headVersusItems" && $0.field == "valueAddedTax" })
        #expect(bill.differences.count == 2, "\(bill.differences)")

        #expect(outcome.statusCode == 0)
        #expect(outcome.statusOutput.contains("tax bill \(bill.taxNo): differs"), "\(outcome.statusOutput)")
        #expect(outcome.statusOutput.contains("item 1 valueAddedTax: expected \(expected), billed \(billed)"), "\(outcome.statusOutput)")
    }

    @Test func withoutTaxRatesTheSimulatorSendsNoBill() async throws {
        let folder = try Harness.temporaryFolder("taxbill-none")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(20))
        let file = Harness.orders.appendingPathComponent("skincare-9610.json")
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        _ = try await deployment.runtime.submit(json: Data(contentsOf: file))
        let store = environment.store
        let released = try await Harness.eventually(timeout: .seconds(90)) {
            try await store.filings(orderNo: order.orderNo).first { $0.kind == .ceb621 }?.status == .released
        }
        await deployment.simulator.waitUntilIdle()
        let stats = await deployment.simulator.stats()
        await deployment.stop()
        #expect(released)
        #expect(stats.receiptsByKind["CEB816"] == nil)
        #expect(try await store.taxBills(orderNo: order.orderNo).isEmpty)
    }
}
