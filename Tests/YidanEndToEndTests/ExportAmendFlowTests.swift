import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates
import YidanRouter
import YidanSimulator
import YidanStore

/// Amending an export (appType 2) through the embedded deployment: the 9610
/// parcel's gross weight is corrected at the warehouse right after the order
/// was accepted, so the waybill (CEB505) and the inventory (CEB603) are filed
/// again as new versions with the same identities; customs takes both
/// versions in turn (one delivery at a time, so the first inventory arrives
/// before its change), releases them, and the tax and FX records follow the
/// amended inventory. History keeps both versions with their receipts.
/// Once the records are on file, a further amendment is refused.
@Suite struct ExportAmendFlowTests {
    static let fixture = Harness.orders.appendingPathComponent("export/phone-case-9610-export.json")

    @Test func anAmendedExportIsFiledAgainAsNewVersionsAndReleased() async throws {
        let folder = try Harness.temporaryFolder("export-amend")
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = try ExportFlowTests.environment(folder)
        let store = environment.store

        let first = try await environment.intake.submit(json: Data(contentsOf: Self.fixture))
        var order = try NormalizedOrderJSON.decode(Data(contentsOf: Self.fixture))
        order.logistics.grossWeight = try #require(Decimal(string: "0.21"))
        let amendment = try await environment.changes.amend(order)
        #expect(amendment.filings.map(\.kind) == [.ceb505, .ceb603])
        #expect(amendment.filings.allSatisfy { $0.purpose == .amend })
        #expect(amendment.unchanged == [.ceb303, .ceb403])
        #expect(amendment.allowanceChange == 0 && amendment.taxTotal == 0)
        let declared = Dictionary(uniqueKeysWithValues: first.filings.map { ($0.kind, $0.id) })
        let amended = Dictionary(uniqueKeysWithValues: amendment.filings.map { ($0.kind, $0.id) })
        #expect(amendment.filings.map(\.supersedes) == [declared[.ceb505], declared[.ceb603]])
        for id in amended.values {
            let payload = String(decoding: try #require(try await store.filing(id: id)).payload, as: UTF8.self)
            #expect(payload.contains("<ceb:appType>2</ceb:appType>") && payload.contains("<ceb:grossWeight>0.21</ceb:grossWeight>"))
        }
        // The same identities: another waybill number is a new order, not an amendment.
        var renumbered = order
        renumbered.logistics.waybillNo = "STX9900029999CN"
        await #expect(throws: ValidationFailure.self) { _ = try await environment.changes.amend(renumbered) }

        let deployment = try await EmbeddedDeployment.start(
            environment: environment, stepDelay: .milliseconds(10), settings: { $0.maxInFlight = 1 }
        )
        let done = try await Harness.eventually(timeout: .seconds(60)) {
            let all = try await Harness.allFilings(store)
            return all.allSatisfy(Harness.isFinal) && all.contains { $0.kind == .fxExport } && all.contains { $0.kind == .taxExport }
        }
        let filings = try await store.filings(orderNo: first.orderNo)
        var applied: [Int] = []
        for filing in filings { applied.append(await deployment.simulator.appliedCount(forIdempotencyKey: filing.idempotencyKey)) }
        let stats = await deployment.simulator.stats()
        await deployment.stop()
        #expect(done, "open: \(filings.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" })")

        // 4 first versions, 2 amended versions, the tax and FX records: all at their final success.
        #expect(filings.count == 8)
        for filing in filings {
            #expect(filing.status == filing.kind.finalSuccess, "\(filing.kind.rawValue) \(filing.purpose.rawValue) ended \(filing.status.rawValue): \(filing.lastReturnInfo ?? filing.lastError ?? "")")
        }
        #expect(applied == Array(repeating: 1, count: filings.count))
        #expect(stats.acceptedByKind == ["CEB303": 1, "CEB403": 1, "CEB505": 2, "CEB603": 2])
        #expect(stats.rejections == 0)
        // Both inventories went through the whole match; the records follow the amended one.
        for id in [declared[.ceb603], amended[.ceb603]] {
            #expect(try await store.receipts(filingID: try #require(id)).filter(\.moved).map(\.returnStatus) == ["2", "120", "399", "800"])
        }
        for kind in [MessageKind.taxExport, .fxExport] {
            #expect(filings.first { $0.kind == kind }?.supersedes == amended[.ceb603])
        }
        #expect(FilingVersions.supersededIDs(filings) == Set([declared[.ceb505], declared[.ceb603]].compactMap { $0 }))

        // Customs is done and the records cite the amended inventory: no further amendment.
        order.logistics.grossWeight = try #require(Decimal(string: "0.22"))
        await #expect(throws: YidanError.self) { _ = try await environment.changes.amend(order) }
    }
}
