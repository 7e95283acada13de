import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanXML
@testable import YidanSimulator

/// Cancels (CEB623) and returns (CEB625) as the simulated customs judges them,
/// read from the official samples, and their receipts (CEB624/626).
@Suite struct InventoryChangeTests {
    static let samples = TestPaths.root.deletingLastPathComponent().appendingPathComponent("shared/reference/ceb/202205/samples/import")
    static let released = Date(timeIntervalSince1970: 1_796_443_200)

    static func sample(_ message: String) throws -> DeclaredMessage {
        try DeclaredMessage(document: XMLDocument.parse(Data(contentsOf: samples.appendingPathComponent("\(message)Message.xml"))))
    }

    /// A gateway that released the sample's inventory (same order, platform and invtNo).
    static func gateway(releasing change: DeclaredMessage) async throws -> GatewayCore {
        let core = try GatewayCore(schemaURL: TestPaths.schema, gatewayDxpId: "DXPSIM", faults: .none)
        let inventory = DeclaredMessage(
            kind: .ceb621, guid: "INVENTORY-GUID", fields: ["orderNo": change["orderNo"] ?? "", "ebpCode": change["ebpCode"] ?? ""]
        )
        await core.noteReleased(inventory, invtNo: change["invtNo"] ?? "", at: released)
        return core
    }

    @Test func samplesReadAsCancelAndReturn() throws {
        let cancel = try Self.sample("CEB623")
        #expect(cancel.kind == .ceb623)
        #expect(cancel["invtNo"] == "150201613031520001")
        #expect(cancel["reason"] == "a")
        let refund = try Self.sample("CEB625")
        #expect(refund.kind == .ceb625)
        #expect(refund["invtNo"] == "15003213300400111")
        #expect(refund["orderNo"] == "order20160317119400055")
    }

    @Test func aCancelOfAReleasedInventoryIsApprovedOnce() async throws {
        let cancel = try Self.sample("CEB623")
        let core = try await Self.gateway(releasing: cancel)
        let steps = await core.judgeChange(cancel, now: Self.released.addingTimeInterval(60))
        #expect(steps.map(\.returnStatus) == ["2", "120", "399"])
        let again = await core.judgeChange(cancel, now: Self.released.addingTimeInterval(120))
        #expect(again.map(\.returnStatus) == ["-623005"])
    }

    @Test func aCancelNamingNoInventoryIsRefused() async throws {
        let cancel = try Self.sample("CEB623")
        let core = try GatewayCore(schemaURL: TestPaths.schema, gatewayDxpId: "DXPSIM", faults: .none)
        #expect(await core.judgeChange(cancel, now: Self.released).map(\.returnStatus) == ["-623003"])
        let refund = try Self.sample("CEB625")
        #expect(await core.judgeChange(refund, now: Self.released).map(\.returnStatus) == ["-625016"])
    }

    @Test func aReturnIsTakenWithinThirtyDaysOfReleaseOnly() async throws {
        let refund = try Self.sample("CEB625")
        let late = try await Self.gateway(releasing: refund)
        let afterWindow = Self.released.addingTimeInterval(30 * 24 * 3600 + 1)
        let refused = await late.judgeChange(refund, now: afterWindow)
        #expect(refused.map(\.returnStatus) == ["-625022"])
        #expect(refused.first?.returnInfo.contains("30") == true)

        let inTime = try await Self.gateway(releasing: refund)
        let lastMoment = Self.released.addingTimeInterval(30 * 24 * 3600)
        #expect(await inTime.judgeChange(refund, now: lastMoment).map(\.returnStatus) == ["2", "120", "399"])
        // Returned goods cannot be cancelled afterwards.
        var cancel = try Self.sample("CEB623")
        cancel.fields["invtNo"] = refund["invtNo"]
        cancel.fields["orderNo"] = refund["orderNo"]
        cancel.fields["ebpCode"] = refund["ebpCode"]
        #expect(await inTime.judgeChange(cancel, now: lastMoment).map(\.returnStatus) == ["-623005"])
    }

    @Test(arguments: ["CEB623", "CEB625"])
    func receiptsValidateAgainstTheProjectSchema(_ message: String) throws {
        let schema = try XMLSchema(contentsOf: TestPaths.schema)
        let declared = try Self.sample(message)
        for step in ReceiptScript.afterChange(guid: declared.guid, kind: declared.kind) {
            let receipt = ReceiptDocument(
                kind: declared.kind.receiptKind, receiptGuid: SampleOrder.guid(), declared: declared, step: step,
                returnTime: ZonedDateTime(instant: Self.released, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds),
                preNo: "B20261111000000001", invtNo: "51412026I000000001"
            )
            let parsed = try XMLDocument.parse(receipt.xml())
            #expect(parsed.root?.localName == declared.kind.receiptKind.rootElement)
            #expect(schema.validate(parsed).isEmpty, "\(schema.validate(parsed))")
        }
    }
}

/// The tax and FX desks take a reversal only of a filing they recorded.
@Suite struct ReversalDeskTests {
    @Test(arguments: [AuthorityFilingKindForTest.tax, .fx])
    func aReversalOfAnUnknownFilingDisagrees(_ which: AuthorityFilingKindForTest) async throws {
        let core = try GatewayCore(schemaURL: TestPaths.schema, gatewayDxpId: "DXPSIM", faults: .none)
        let facts = AuthorityFilingFacts(
            kind: which.kind, guid: "5C1E0A7E-0000-4000-8000-00000000C002",
            fields: ["orderNo": "ORDER-1", "reverses": "5C1E0A7E-0000-4000-8000-00000000C001", which.kind == .taxImport ? "taxTotal" : "rmbAmount": "10.00"]
        )
        guard case .disagrees(let problems) = await core.reconcile(facts) else {
            Issue.record("a reversal of nothing was not refused")
            return
        }
        #expect(problems.first?.contains("never filed here") == true)
    }
}

enum AuthorityFilingKindForTest: Sendable, CaseIterable {
    case tax, fx
    var kind: AuthorityFilingKind { self == .tax ? .taxImport : .fxPayment }
}
