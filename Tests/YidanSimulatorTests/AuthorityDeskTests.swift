import Foundation
import Hummingbird
import Testing
import YidanCore
import YidanDispatch
import YidanIngest
import YidanMapping
import YidanXML
@testable import YidanSimulator

/// A fixture order with its CEB311/411 and its tax and FX filings, all built
/// through the real mapping layer (`MappingCatalog`) and `CompositeTax`.
private struct AuthorityCase {
    static let annualBefore = Decimal(string: "1200.50") ?? 0
    static let catalog = Result { try MappingCatalog(directory: TestPaths.mappings) }
    static let rates = Result {
        try TaxRateTable(csv: String(contentsOf: TestPaths.mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
    }

    let order: NormalizedOrder
    let tax: OrderTax
    let orderMessage: XMLDocument
    let paymentMessage: XMLDocument
    let taxFiling: XMLDocument
    let fxFiling: XMLDocument

    init(_ fixture: String = "skincare-9610") throws {
        let url = TestPaths.root.appendingPathComponent("Fixtures/orders/\(fixture).json")
        order = try NormalizedOrderJSON.decode(Data(contentsOf: url))
        tax = try CompositeTax.compute(order: order, rates: Self.rates.get(), annualUsedBefore: Self.annualBefore)
        let catalog = try Self.catalog.get()
        let now = ZonedDateTime.now()
        orderMessage = try catalog.makeFiling(.ceb311, order: order, tax: tax, guid: SampleOrder.guid(), now: now)
        paymentMessage = try catalog.makeFiling(.ceb411, order: order, tax: tax, guid: SampleOrder.guid(), now: now)
        taxFiling = try catalog.makeAuthorityFiling(.taxImport, order: order, tax: tax, annualBefore: Self.annualBefore,
                                                    guid: SampleOrder.guid(), now: now)
        fxFiling = try catalog.makeAuthorityFiling(.fxPayment, order: order, tax: tax, annualBefore: Self.annualBefore,
                                                   guid: SampleOrder.guid(), now: now)
    }

    static func guid(of filing: XMLDocument) -> String { filing.root?.attribute("guid") ?? "" }

    /// Sets a field of the filing's Head (tax) or Record (FX).
    static func set(_ filing: XMLDocument, _ field: String, _ value: String) throws {
        let root = try #require(filing.root)
        let body = try #require(root.elementChildren.first)
        try #require(body.elementChildren.first { $0.localName == field }).setText(value)
    }
}

extension SimulatorHarness {
    func postFiling(_ authority: String, _ body: Data, key: String?) async throws -> HTTPClientResponse {
        var headers = [("Content-Type", "application/xml")]
        if let key { headers.append(("Idempotency-Key", key)) }
        return try await client.post(url: baseURL.appendingPathComponent("\(authority)/filings").absoluteString, body: body, headers: headers)
    }

    func postFiling(_ authority: String, _ filing: XMLDocument, key: String?) async throws -> HTTPClientResponse {
        try await postFiling(authority, filing.serialized(pretty: false), key: key)
    }

    /// Declares a CEB message through the customs endpoint and waits for its receipts.
    func declare(_ message: XMLDocument) async throws {
        #expect(try await post(message).status == 200)
        await simulator.waitUntilIdle()
    }

    /// The tax/FX receipts of a filing in the inbox, in delivery order, each
    /// checked against its schema: (file, returnStatus, orderNo, returnInfo).
    func authorityReceipts(_ kind: ReceiptKind, guid: String) throws -> [(file: String, status: String, orderNo: String, info: String)] {
        let schemaFile = kind == .taxReceipt ? "schemas/tax-receipt-v1.xsd" : "schemas/fx-receipt-v1.xsd"
        let schema = try XMLSchema(contentsOf: TestPaths.mappings.appendingPathComponent(schemaFile))
        let names = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
            .filter { $0.hasPrefix("\(kind.rawValue)_\(guid)_") && $0.hasSuffix(".xml") }
            .sorted()
        return try names.map { name in
            let document = try XMLDocument.parse(Data(contentsOf: inbox.appendingPathComponent(name)))
            #expect(schema.validate(document).isEmpty, "\(name) fails \(schemaFile)")
            let root = try #require(document.root)
            #expect(root.localName == kind.rootElement)
            func text(_ field: String) -> String { root.elementChildren.first { $0.localName == field }?.text ?? "" }
            #expect(text("guid") == guid)
            return (name, text("returnStatus"), text("orderNo"), text("returnInfo"))
        }
    }

    func ack(_ response: HTTPClientResponse) throws -> (status: String?, guid: String?) {
        let root = try #require(try XMLDocument.parse(response.body).root)
        #expect(root.namespaceURI == "urn:yidan:authority:ack:v1")
        #expect(root.localName == "Ack")
        return (root.attribute("status"), root.attribute("guid"))
    }
}

@Suite("Tax and FX authority desks over loopback HTTP")
struct AuthorityDeskTests {
    @Test func taxAndFXFilingsMatchingCustomsAreReceivedThenAccepted() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try await h.declare(c.orderMessage)
            try await h.declare(c.paymentMessage)
            let taxGuid = AuthorityCase.guid(of: c.taxFiling)
            let fxGuid = AuthorityCase.guid(of: c.fxFiling)

            let taxAnswer = try await h.postFiling("tax", c.taxFiling, key: "tax-1")
            #expect(taxAnswer.status == 200)
            #expect(try h.ack(taxAnswer) == ("received", taxGuid))
            let fxAnswer = try await h.postFiling("fx", c.fxFiling, key: "fx-1")
            #expect(fxAnswer.status == 200)
            #expect(try h.ack(fxAnswer) == ("received", fxGuid))
            await h.simulator.waitUntilIdle()

            #expect(await h.simulator.returnStatuses(forMessageGuid: taxGuid) == ["1", "2"])
            #expect(await h.simulator.returnStatuses(forMessageGuid: fxGuid) == ["1", "2"])
            let taxReceipts = try h.authorityReceipts(.taxReceipt, guid: taxGuid)
            #expect(taxReceipts.map(\.status) == ["1", "2"])
            #expect(taxReceipts.allSatisfy { $0.orderNo == c.order.orderNo })
            #expect(try h.authorityReceipts(.fxReceipt, guid: fxGuid).map(\.status) == ["1", "2"])

            let stats = await h.simulator.stats()
            #expect(stats.authorities["tax"]?.filingsAccepted == 1)
            #expect(stats.authorities["fx"]?.filingsAccepted == 1)
            #expect(stats.authorities["tax"]?.appliedFilingGuids == [taxGuid])
            #expect(stats.authorities["tax"]?.rejections == 0)
            #expect(stats.receiptsByKind["TAX-RECEIPT"] == 2)
            #expect(stats.receiptsByKind["FX-RECEIPT"] == 2)
            #expect(stats.messagesAccepted == 2, "customs counters stay about /dxp/messages")
        }
    }

    @Test func aTaxTotalDifferentFromTheCEB311IsRefusedWithMinus3() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try await h.declare(c.orderMessage)
            let declaredNode = try #require(c.orderMessage.select("//*[local-name()='taxTotal']").first)
            let declared = try #require(Money.parse(declaredNode.text))
            try AuthorityCase.set(c.taxFiling, "taxTotal", Money.format(declared + Decimal(1) / 100, minScale: 2))
            let guid = AuthorityCase.guid(of: c.taxFiling)
            #expect(try await h.postFiling("tax", c.taxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()

            let receipts = try h.authorityReceipts(.taxReceipt, guid: guid)
            #expect(receipts.map(\.status) == ["1", "-3"])
            #expect(receipts.last?.info.contains("does not equal CEB311 taxTotal") == true)
            #expect(await h.simulator.stats().authorities["tax"]?.rejections == 1)
        }
    }

    @Test func anFXRecordWaitsForItsPaymentThenIsAccepted() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with(matchWindowSteps: 100_000) { h in
            let guid = AuthorityCase.guid(of: c.fxFiling)
            #expect(try await h.postFiling("fx", c.fxFiling, key: "fx-early").status == 200)
            // Receipt 1 is out and customs has no CEB411: the desk is now waiting.
            while await h.simulator.returnStatuses(forMessageGuid: guid).isEmpty {
                await Task.yield()
            }
            #expect(await h.simulator.returnStatuses(forMessageGuid: guid) == ["1"])
            try await h.declare(c.paymentMessage)
            await h.simulator.waitUntilIdle()
            #expect(try h.authorityReceipts(.fxReceipt, guid: guid).map(\.status) == ["1", "2"])
        }
    }

    @Test func anFXRecordWhosePaymentNeverArrivesIsRefusedAfterTheWindow() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with(matchWindowSteps: 2) { h in
            let guid = AuthorityCase.guid(of: c.fxFiling)
            #expect(try await h.postFiling("fx", c.fxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()
            let receipts = try h.authorityReceipts(.fxReceipt, guid: guid)
            #expect(receipts.map(\.status) == ["1", "-3"])
            #expect(receipts.last?.info.contains("no payment (CEB411) on file for orderNo \(c.order.orderNo)") == true)
        }
    }

    @Test func anFXAmountDifferentFromTheCEB411IsRefused() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try await h.declare(c.paymentMessage)
            try AuthorityCase.set(c.fxFiling, "rmbAmount", "1.00")
            let guid = AuthorityCase.guid(of: c.fxFiling)
            #expect(try await h.postFiling("fx", c.fxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()
            let receipts = try h.authorityReceipts(.fxReceipt, guid: guid)
            #expect(receipts.map(\.status) == ["1", "-3"])
            #expect(receipts.last?.info.contains("FX rmbAmount 1.00 does not equal CEB411 amountPaid") == true)
        }
    }

    @Test func aRepeatedKeyOrGuidGetsTheFirstAnswerAndIsAppliedOnce() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try await h.declare(c.orderMessage)
            let guid = AuthorityCase.guid(of: c.taxFiling)
            let first = try await h.postFiling("tax", c.taxFiling, key: "same-key")
            let second = try await h.postFiling("tax", c.taxFiling, key: "same-key")
            let third = try await h.postFiling("tax", c.taxFiling, key: "other-key")
            #expect([first.status, second.status, third.status] == [Int](repeating: 200, count: 3))
            #expect(first.body == second.body)
            #expect(first.body == third.body)
            await h.simulator.waitUntilIdle()

            let counters = try #require(await h.simulator.stats().authorities["tax"])
            #expect(counters.requestsReceived == 3)
            #expect(counters.duplicatesRecognised == 2)
            #expect(counters.filingsAccepted == 1)
            #expect(await h.simulator.appliedCount(forIdempotencyKey: "same-key") == 1)
            #expect(await h.simulator.appliedCount(forIdempotencyKey: "other-key") == 0)
            #expect(await h.simulator.returnStatuses(forMessageGuid: guid) == ["1", "2"])
        }
    }

    @Test func aSchemaInvalidFilingGetsMinus1AndAnUnreadableBody400() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try AuthorityCase.set(c.taxFiling, "tradeMode", "0110")
            let guid = AuthorityCase.guid(of: c.taxFiling)
            #expect(try await h.postFiling("tax", c.taxFiling, key: nil).status == 200)

            let garbage = try await h.postFiling("tax", Data("not xml".utf8), key: "garbage")
            #expect(garbage.status == 400)
            #expect(try h.ack(garbage).status == "invalid")
            // A tax filing on the FX endpoint cannot be read as an FX record.
            #expect(try await h.postFiling("fx", c.taxFiling, key: "wrong-desk").status == 400)
            await h.simulator.waitUntilIdle()

            let receipts = try h.authorityReceipts(.taxReceipt, guid: guid)
            #expect(receipts.map(\.status) == ["-1"])
            #expect(receipts.first?.info.contains("tradeMode") == true)
            #expect(receipts.first?.info.contains("0110") == false, "values are redacted")
            let stats = await h.simulator.stats()
            #expect(stats.authorities["tax"]?.invalidRequests == 1)
            #expect(stats.authorities["fx"]?.invalidRequests == 1)
            #expect(stats.authorities["tax"]?.rejections == 1)
        }
    }

    @Test func aSignedFilingIsVerifiedAndATamperedOneGetsMinus2() async throws {
        let signed = try AuthorityCase()
        let tampered = try AuthorityCase()
        try await SimulatorHarness.with { h in
            try await h.declare(signed.orderMessage)
            _ = try TestSigning.sign(signed.taxFiling)
            #expect(try await h.postFiling("tax", signed.taxFiling, key: nil).status == 200)

            _ = try TestSigning.sign(tampered.fxFiling)
            try AuthorityCase.set(tampered.fxFiling, "payName", "Someone Else Pay")
            #expect(try await h.postFiling("fx", tampered.fxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()

            #expect(await h.simulator.returnStatuses(forMessageGuid: AuthorityCase.guid(of: signed.taxFiling)) == ["1", "2"])
            let receipts = try h.authorityReceipts(.fxReceipt, guid: AuthorityCase.guid(of: tampered.fxFiling))
            #expect(receipts.map(\.status) == ["-2"])
        }
    }

    @Test func theFaultPlanAppliesToTheAuthorityEndpoints() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with(faults: FaultPlan(failNext: 1, retryAfterSeconds: 2)) { h in
            let refused = try await h.postFiling("tax", c.taxFiling, key: "k")
            #expect(refused.status == 503)
            #expect(SimulatorHarness.header(refused, "Retry-After") == "2")
            #expect(try h.ack(refused).status == "unavailable")
            #expect(try await h.postFiling("tax", c.taxFiling, key: "k").status == 200)
            await h.simulator.waitUntilIdle()
            let stats = await h.simulator.stats()
            #expect(stats.faultsInjected == 1)
            #expect(stats.authorities["tax"]?.filingsAccepted == 1)
        }
    }

    @Test func duplicateAndOutOfOrderReceiptFaultsApplyToo() async throws {
        let c = try AuthorityCase()
        try await SimulatorHarness.with(faults: FaultPlan(duplicateReceipts: true, outOfOrderReceipts: true)) { h in
            try await h.declare(c.orderMessage)
            let guid = AuthorityCase.guid(of: c.taxFiling)
            #expect(try await h.postFiling("tax", c.taxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()
            #expect(await h.simulator.returnStatuses(forMessageGuid: guid) == ["2", "2", "1", "1"])
            #expect(try h.authorityReceipts(.taxReceipt, guid: guid).count == 4)
        }
    }

    @Test func receiptsAreCalledBackAsThePlainReceiptXML() async throws {
        let c = try AuthorityCase()
        let received = ReceivedBodies()
        let (callback, receiverTask) = try await ReceivedBodies.startReceiver(collectingInto: received)
        defer { receiverTask.cancel() }

        try await SimulatorHarness.with(callbackURL: callback, useInbox: false) { h in
            try await h.declare(c.orderMessage)
            let guid = AuthorityCase.guid(of: c.taxFiling)
            #expect(try await h.postFiling("tax", c.taxFiling, key: nil).status == 200)
            await h.simulator.waitUntilIdle()
            var statuses: [String] = []
            for body in await received.bodies {
                let root = try #require(try XMLDocument.parse(body).root)
                guard root.localName == "TaxFilingReceipt" else { continue }  // the CEB312s come in DxpMsg envelopes
                #expect(root.namespaceURI == "urn:yidan:receipt:tax:v1")
                #expect(root.firstChild("guid", namespaceURI: "urn:yidan:receipt:tax:v1")?.text == guid)
                statuses.append(root.firstChild("returnStatus", namespaceURI: "urn:yidan:receipt:tax:v1")?.text ?? "")
            }
            #expect(statuses == ["1", "2"])
        }
    }
}
