import Foundation
import Testing
import YidanCore
import YidanRates
import YidanRouter
import YidanSimulator
import YidanStore

/// Export orders end to end in one process over loopback HTTP: intake files
/// CEB303/403/505/603 → SQLite outbox → libcurl → the simulator's customs
/// gateway → CEB304/404/506/604 by callback → every filing at its final success.
/// One fixture per export trade mode: 9610 B2C (flag A), 9710 B2B (flag B),
/// 9810 overseas warehouse (flag B), 1210 bonded (flag A).
@Suite struct ExportFlowTests {
    static let exportOrders = Harness.orders.appendingPathComponent("export", isDirectory: true)

    /// An environment with the project's example USD/EUR rates (the FX records need them).
    static func environment(_ folder: URL) throws -> YidanEnvironment {
        var environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsPath: Harness.mappings.path
        )
        environment.exchangeRates = try ExchangeRates.load([
            Harness.mappings.deletingLastPathComponent().appendingPathComponent("Fixtures/merchant/rates/example-export-rates-2026-11.csv"),
        ])
        return environment
    }

    static func exportFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: exportOrders.path)
            .filter { $0.hasSuffix(".json") }.sorted()
            .map { exportOrders.appendingPathComponent($0) }
    }

    @Test func everyExportTradeModeIsReleasedEachFilingAppliedOnce() async throws {
        let folder = try Harness.temporaryFolder("export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try Self.environment(folder)
        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(20),
            faults: FaultPlan(failNext: 1, failStatus: 503, retryAfterSeconds: 1)
        )
        var accepted: [SubmitReceipt] = []
        for file in try Self.exportFiles() {
            accepted.append(try await deployment.runtime.submit(json: Data(contentsOf: file)))
        }
        #expect(accepted.count == 4)
        // Four export declarations, no tax or FX filing, no tax.
        #expect(accepted.allSatisfy { $0.isNew && $0.filings.map(\.kind) == MessageKind.exportDeclaration && $0.taxTotal == 0 })

        let store = environment.store
        // Once released, the statisticsFlag B orders (9710, 9810) also file their CEB701 summary and
        // each order its export tax and FX records (ExportSummaryFlowTests).
        let done = try await Harness.eventually(timeout: .seconds(90)) {
            let all = try await Harness.allFilings(store)
            return all.allSatisfy(Harness.isFinal) && all.filter { $0.kind == .ceb701 }.count == 2
                && all.filter { $0.kind == .taxExport }.count == 4 && all.filter { $0.kind == .fxExport }.count == 4
        }
        let filings = try await Harness.allFilings(store)
        let stats = await deployment.simulator.stats()
        await deployment.stop()
        #expect(done, "filings still open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")

        #expect(filings.count == 26)
        for filing in filings {
            let expected = filing.kind.finalSuccess
            #expect(filing.status == expected, "\(filing.orderNo) \(filing.kind.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
            #expect(await deployment.simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey) == 1)
        }
        // Each export order rolls up to released, carried by its CEB603.
        for receipt in accepted {
            let summaries = filings.filter { $0.orderNo == receipt.orderNo }.map { FilingSummary(kind: $0.kind, status: $0.status) }
            #expect(OrderRollup.status(of: summaries) == .released)
        }
        #expect(stats.messagesAccepted == 18)
        #expect(stats.acceptedByKind == ["CEB303": 4, "CEB403": 4, "CEB505": 4, "CEB603": 4, "CEB701": 2])
        #expect(stats.rejections == 0)
        #expect(stats.authorities["tax"]?.filingsAccepted == 4)  // a TAX-EXPORT record per order
        #expect(stats.authorities["fx"]?.filingsAccepted == 4)  // and an FX-EXPORT record
        // Per trade mode: the summary only for flag B, every filing at its final success.
        for receipt in accepted {
            let kinds = filings.filter { $0.orderNo == receipt.orderNo }.map(\.kind)
            let flagB = ["YDW20261129-0007", "YDB20261126-0031"].contains(receipt.orderNo)
            #expect(kinds.filter { $0 == .ceb701 }.count == (flagB ? 1 : 0), "\(receipt.orderNo)")
            #expect(Set(kinds) == Set(MessageKind.exportDeclaration + [.taxExport, .fxExport] + (flagB ? [.ceb701] : [])))
        }
        for filing in filings where filing.kind == .ceb603 {
            #expect(try await store.receipts(filingID: filing.id).filter(\.moved).map(\.returnStatus) == ["2", "120", "399", "800"])
            #expect(try await store.receipts(filingID: filing.id).allSatisfy { $0.kind == .ceb604 })
        }
        for filing in filings where filing.kind == .ceb403 {
            #expect(try await store.receipts(filingID: filing.id).filter(\.moved).map(\.returnStatus) == ["2", "3", "120"])
        }
        // The signed export inventory puts ds:Signature after BaseTransfer (before any ExtendMessage).
        let inventory = try #require(filings.first { $0.kind == .ceb603 })
        let text = String(decoding: inventory.payload, as: UTF8.self)
        #expect(text.contains("<ceb:statisticsFlag>"))
        let baseTransfer = try #require(text.range(of: "</ceb:BaseTransfer>"))
        let signature = try #require(text.range(of: "<ds:Signature"))
        #expect(baseTransfer.upperBound <= signature.lowerBound)
    }

    @Test func anExportOrderIsNeverCountedAgainstABuyersAllowance() async throws {
        let folder = try Harness.temporaryFolder("export-allowance")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try Self.environment(folder)
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(5), faults: .none)
        let file = try #require(try Self.exportFiles().first)
        let first = try await deployment.runtime.submit(json: Data(contentsOf: file))
        let again = try await deployment.runtime.submit(json: Data(contentsOf: file))
        #expect(first.isNew && !again.isNew)
        #expect(again.filings.map(\.id) == first.filings.map(\.id))
        #expect(again.taxTotal == 0)
        await deployment.stop()
    }
}
