import Foundation
import Testing
import YidanCore
import YidanRates
import YidanRouter
import YidanSimulator
import YidanStore

/// The summary declaration of exports end to end over loopback HTTP: the
/// statisticsFlag B order (9810) is filed (CEB303/403/505/603), released, then
/// yidan files its CEB701 on its own; the simulator answers CEB702 (2, 120) and
/// a CEB792 whose entryId yidan stores with the order, then files the export
/// tax record (TAX-EXPORT) citing that entryId. The statisticsFlag A order
/// (9610) is never summarised; its tax record is filed on release, without entryId.
/// Both export FX records (FX-EXPORT, money flowing in) follow the same schedule,
/// converted with the project's example rates: flag B's carries the entryId as
/// its declarationNo, flag A's has none.
@Suite struct ExportSummaryFlowTests {
    static let summaryOrder = "kitchenware-9810-overseas-warehouse.json"
    static let simplifiedOrder = "phone-case-9610-export.json"

    @Test func aReleasedFlagBExportIsSummarisedAndItsEntryIdRecorded() async throws {
        let folder = try Harness.temporaryFolder("export-summary")
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        environment.exchangeRates = try ExchangeRates.load([
            Harness.mappings.deletingLastPathComponent().appendingPathComponent("Fixtures/merchant/rates/example-export-rates-2026-11.csv"),
        ])
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(10))
        let exports = Harness.orders.appendingPathComponent("export", isDirectory: true)
        let flagB = try await deployment.runtime.submit(json: Data(contentsOf: exports.appendingPathComponent(Self.summaryOrder)))
        let flagA = try await deployment.runtime.submit(json: Data(contentsOf: exports.appendingPathComponent(Self.simplifiedOrder)))
        #expect(flagB.filings.map(\.kind) == MessageKind.exportDeclaration)

        let store = environment.store
        let done = try await Harness.eventually(timeout: .seconds(90)) {
            let all = try await Harness.allFilings(store)
            return all.allSatisfy(Harness.isFinal) && all.filter { $0.kind == .taxExport }.count == 2
                && all.filter { $0.kind == .fxExport }.count == 2
        }
        // The 9610 order was released with the other; give a wrongly filed 701 no chance to hide.
        await deployment.simulator.waitUntilIdle()
        let stats = await deployment.simulator.stats()
        let bFilings = try await store.filings(orderNo: flagB.orderNo)
        let aFilings = try await store.filings(orderNo: flagA.orderNo)
        await deployment.stop()
        #expect(done, "open: \((bFilings + aFilings).filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")

        // Flag B: the four declarations final, then one CEB701 concluded by its CEB792.
        #expect(bFilings.map(\.kind).sorted() == (MessageKind.exportDeclaration + [.ceb701, .taxExport, .fxExport]).sorted())
        for filing in bFilings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
        }
        let summary = try #require(bFilings.first { $0.kind == .ceb701 })
        let inventory = try #require(bFilings.first { $0.kind == .ceb603 })
        #expect(summary.supersedes == inventory.id)
        let receipts = try await store.receipts(filingID: summary.id)
        #expect(receipts.map(\.kind) == [.ceb702, .ceb702, .ceb792])
        #expect(receipts.map(\.returnStatus) == ["2", "120", "399"])

        // The CEB701 names the inventory by the number customs gave it in its CEB604.
        let text = String(decoding: summary.payload, as: UTF8.self)
        let listed = try #require(text.range(of: "<ceb:invtNo>").flatMap { start in
            text.range(of: "</ceb:invtNo>", range: start.upperBound..<text.endIndex).map { String(text[start.upperBound..<$0.lowerBound]) }
        })
        #expect(try await store.orderNo(forInvtNo: listed) == flagB.orderNo)
        #expect(text.contains("<ceb:ebcCode>3105960E33</ceb:ebcCode>"))
        #expect(text.contains("<ds:Signature"))

        // entryId: 18 digits, customs office 2248, export flag 1, stored with the order.
        let entryId = try #require(try await store.entryId(orderNo: flagB.orderNo))
        #expect(entryId.count == 18 && entryId.allSatisfy(\.isNumber))
        #expect(entryId.hasPrefix("2248"))
        #expect(Array(entryId)[8] == "1")
        #expect(await deployment.simulator.appliedCount(forIdempotencyKey: summary.idempotencyKey) == 1)
        // A broker sees it in `yidan status`.
        let status = try await YidanProcess.run(
            ["status", flagB.orderNo, "--store", folder.appendingPathComponent("yidan.sqlite").path], folder: folder, name: "status"
        )
        #expect(status.stdout.contains("customs declaration (entryId): \(entryId)"), "\(status.stdout)\(status.stderr)")

        // The export tax record: stored by the tax desk, naming the inventory and the entryId.
        let taxRecord = try #require(bFilings.first { $0.kind == .taxExport })
        let record = String(decoding: taxRecord.payload, as: UTF8.self)
        #expect(record.contains("<txe:entryId>\(entryId)</txe:entryId>"))
        #expect(record.contains("<txe:invtNo>\(listed)</txe:invtNo>"))
        #expect(record.contains("<txe:totalAmount>2970.00</txe:totalAmount>"))
        #expect(try await store.receipts(filingID: taxRecord.id).filter(\.moved).map(\.returnStatus) == ["1", "2"])

        // The export FX record: recorded by the FX desk (amount = CEB403 charge), citing the entryId.
        let fxRecord = try #require(bFilings.first { $0.kind == .fxExport })
        let fxText = String(decoding: fxRecord.payload, as: UTF8.self)
        #expect(fxText.contains("<fx:declarationNo>\(entryId)</fx:declarationNo>"))
        #expect(fxText.contains("<fx:direction>inflow</fx:direction>"))
        #expect(fxText.contains("<fx:currency>EUR</fx:currency>"))
        #expect(fxText.contains("<fx:rate>7.7420</fx:rate>"))
        #expect(try await store.receipts(filingID: fxRecord.id).filter(\.moved).map(\.returnStatus) == ["1", "2"])

        // Flag A: released, no summary, no entryId; its tax and FX records have none either.
        #expect(aFilings.map(\.kind).sorted() == (MessageKind.exportDeclaration + [.taxExport, .fxExport]).sorted())
        let simplifiedFx = try #require(aFilings.first { $0.kind == .fxExport })
        let simplifiedFxText = String(decoding: simplifiedFx.payload, as: UTF8.self)
        #expect(!simplifiedFxText.contains("declarationNo"))
        #expect(simplifiedFxText.contains("<fx:currency>USD</fx:currency>"))
        let simplifiedRecord = try #require(aFilings.first { $0.kind == .taxExport })
        #expect(!String(decoding: simplifiedRecord.payload, as: UTF8.self).contains("entryId"))
        #expect(aFilings.allSatisfy { $0.status == $0.kind.finalSuccess })
        #expect(try await store.entryId(orderNo: flagA.orderNo) == nil)
        #expect(stats.acceptedByKind["CEB701"] == 1)
        #expect(stats.receiptsByKind["CEB792"] == 1)
        #expect(stats.rejections == 0)
        #expect(stats.authorities["tax"]?.filingsAccepted == 2)
        #expect(stats.authorities["tax"]?.rejections == 0)
        #expect(stats.authorities["fx"]?.filingsAccepted == 2)
        #expect(stats.authorities["fx"]?.rejections == 0)
    }
}
