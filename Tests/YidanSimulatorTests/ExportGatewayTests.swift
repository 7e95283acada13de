import Foundation
import Testing
import YidanCore
import YidanDispatch
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML
@testable import YidanSimulator

/// Export declarations (CEB303/403/505/603) built by the real mapping stage from
/// `Fixtures/orders/export/`, signed, and posted to the gateway over loopback HTTP.
enum ExportSamples {
    static let catalog = Result { try MappingCatalog(directory: TestPaths.mappings) }
    static let exportSchema = Result { try XMLSchema(contentsOf: TestPaths.mappings.appendingPathComponent(MappingCatalog.exportSchemaFile)) }

    static func order(_ name: String = "phone-case-9610-export") throws -> NormalizedOrder {
        try NormalizedOrderJSON.decode(Data(contentsOf: TestPaths.root.appendingPathComponent("Fixtures/orders/export/\(name).json")))
    }

    /// One signed export declaration of `order` (signature before ExtendMessage).
    static func build(
        _ kind: MessageKind, _ order: NormalizedOrder, guid: String = SampleOrder.guid(),
        changing change: (XMLDocument) throws -> Void = { _ in }
    ) throws -> XMLDocument {
        let document = try catalog.get().makeFiling(kind, order: order, tax: .none, guid: guid, now: ZonedDateTime.now())
        try change(document)
        let signer = try PEMRSASigner(
            privateKeyPEM: String(contentsOf: TestPaths.root.appendingPathComponent("Fixtures/keys/test-signing-key.pem"), encoding: .utf8),
            certificatePEM: String(contentsOf: TestPaths.root.appendingPathComponent("Fixtures/keys/test-signing-cert.pem"), encoding: .utf8),
            keyName: "0001", algorithm: .rsaSHA256
        )
        try XMLSignature.signEnveloped(document, with: signer, placement: .forCEB(document))
        return document
    }

    static func field(_ document: XMLDocument, _ name: String) -> String? {
        document.root?.elementChildren.first?.firstChild(name, namespaceURI: CEBSamples.ceb)?.text
    }
}

@Suite struct ExportGatewayTests {
    @Test func anExportOrderIsStoredAndItsInventoryReleasedWithReceiptsValidAgainstTheExportSchema() async throws {
        try await SimulatorHarness.with { harness async throws in
            let order = try ExportSamples.order()
            var guids: [MessageKind: String] = [:]
            for kind in MessageKind.exportDeclaration {
                let guid = SampleOrder.guid()
                guids[kind] = guid
                let response = try await harness.post(ExportSamples.build(kind, order, guid: guid), key: "export-\(kind.rawValue)")
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self).contains(guid))
            }
            await harness.simulator.waitUntilIdle()
            let schema = try ExportSamples.exportSchema.get()
            for kind in MessageKind.exportDeclaration {
                let guid = try #require(guids[kind])
                let receipts = try harness.inboxReceipts(forGuid: guid)
                #expect(receipts.map(\.status) == (kind == .ceb603 ? ["2", "120", "399", "800"] : ["2", "3", "120"]), "\(kind.rawValue)")
                #expect(receipts.allSatisfy { $0.file.hasPrefix("\(kind.receiptKind.rawValue)_\(guid)_") })
                for receipt in receipts {
                    #expect(receipt.document.root?.localName == kind.receiptKind.rootElement)
                    #expect(receipt.document.root?.prefix == nil)
                    let issues = schema.validate(receipt.document)
                    #expect(issues.isEmpty, "\(receipt.file): \(issues.map(\.description))")
                    #expect(ExportSamples.field(receipt.document, "guid") == guid)
                }
            }
            let inventory = try harness.inboxReceipts(forGuid: try #require(guids[.ceb603]))
            let entry = try #require(inventory.last?.document.root?.elementChildren.first)
            #expect(entry.elementChildren.map(\.localName) == [
                "guid", "agentCode", "copNo", "preNo", "invtNo", "ebcCode", "ebpCode", "orderNo", "statisticsFlag",
                "returnStatus", "returnTime", "returnInfo",
            ])
            let invtNo = try #require(ExportSamples.field(inventory[0].document, "invtNo"))
            #expect(invtNo.count == 18 && invtNo.hasPrefix("5141") && Array(invtNo)[8] == "E")
            #expect(inventory.allSatisfy { ExportSamples.field($0.document, "invtNo") == invtNo })
            #expect(ExportSamples.field(inventory[0].document, "statisticsFlag") == "A")
            #expect(ExportSamples.field(inventory[0].document, "orderNo") == order.orderNo)
            let payment = try harness.inboxReceipts(forGuid: try #require(guids[.ceb403]))
            #expect(ExportSamples.field(payment[0].document, "payNo") == order.payment.transactionId)
            let stats = await harness.simulator.stats()
            #expect(stats.messagesAccepted == 4)
            #expect(stats.acceptedByKind == ["CEB303": 1, "CEB403": 1, "CEB505": 1, "CEB603": 1])
            #expect(stats.rejections == 0)
        }
    }

    @Test func theSameExportDeclarationTwiceIsAppliedOnce() async throws {
        try await SimulatorHarness.with { harness async throws in
            let document = try ExportSamples.build(.ceb303, ExportSamples.order())
            let envelope = SimulatorHarness.envelope(document)
            let first = try await harness.post(envelope: envelope, key: "export-same")
            let second = try await harness.post(envelope: envelope, key: "export-same")
            #expect(first.body == second.body)
            await harness.simulator.waitUntilIdle()
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "export-same") == 1)
            #expect(await harness.simulator.stats().duplicatesRecognised == 1)
        }
    }

    @Test func anotherGuidForTheSameExportOrderIsRefusedAsADuplicate() async throws {
        try await SimulatorHarness.with { harness async throws in
            let order = try ExportSamples.order()
            let second = SampleOrder.guid()
            #expect(try await harness.post(ExportSamples.build(.ceb303, order), key: "a").status == 200)
            #expect(try await harness.post(ExportSamples.build(.ceb303, order, guid: second), key: "b").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: second)
            #expect(receipts.map(\.status) == [CustomsLedger.duplicateDeclarationStatus])
            #expect(try ExportSamples.exportSchema.get().validate(try #require(receipts.first).document).isEmpty)
        }
    }

    @Test func anExportInventoryWithoutItsOrderReceiptAndWaybillIsRefusedAfterTheWindow() async throws {
        try await SimulatorHarness.with(matchWindowSteps: 2) { harness async throws in
            let guid = SampleOrder.guid()
            _ = try await harness.post(ExportSamples.build(.ceb603, ExportSamples.order(), guid: guid), key: "lonely")
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["2", ReceiptScript.refusedStatus])
            let info = ExportSamples.field(try #require(receipts.last).document, "returnInfo") ?? ""
            #expect(info.contains("CEB303") && info.contains("CEB403") && info.contains("CEB505"))
            #expect(try ExportSamples.exportSchema.get().validate(try #require(receipts.last).document).isEmpty)
        }
    }

    @Test func aReceiptOfPaymentAboveTheOrderTotalFailsTheMatch() async throws {
        try await SimulatorHarness.with(matchWindowSteps: 2) { harness async throws in
            let order = try ExportSamples.order()
            // Signed after the change, so only the match can object.
            let receipt = try ExportSamples.build(.ceb403, order) { document in
                try document.select("//ceb:charge", namespaces: ["ceb": CEBSamples.ceb]).first?.setText("99.00")
            }
            let guid = SampleOrder.guid()
            for document in [try ExportSamples.build(.ceb303, order), receipt, try ExportSamples.build(.ceb505, order)] {
                _ = try await harness.post(document)
            }
            _ = try await harness.post(ExportSamples.build(.ceb603, order, guid: guid))
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["2", ReceiptScript.refusedStatus])
            #expect((ExportSamples.field(try #require(receipts.last).document, "returnInfo") ?? "").contains("charge 99"))
        }
    }

    @Test func anExportDeclarationThatFailsTheExportSchemaIsRefusedWithMinusOne() async throws {
        try await SimulatorHarness.with { harness async throws in
            let guid = SampleOrder.guid()
            let document = try ExportSamples.build(.ceb505, ExportSamples.order(), guid: guid)
            let packNo = try #require(try document.select("//ceb:packNo", namespaces: ["ceb": CEBSamples.ceb]).first)
            packNo.setText("many")
            _ = try await harness.post(document)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == [ReceiptScript.schemaInvalidStatus])
            #expect(receipts.first?.document.root?.localName == "CEB506Message")
        }
    }
}
