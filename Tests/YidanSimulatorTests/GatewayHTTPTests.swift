import Foundation
import Testing
import YidanCore
import YidanDispatch
import YidanMapping
import YidanXML
@testable import YidanSimulator

/// The gateway over real HTTP on loopback, posted to with yidan's libcurl client.
@Suite struct GatewayHTTPTests {
    @Test func validOrderIsTakenAndItsReceiptsArriveInTheInboxInOrder() async throws {
        try await SimulatorHarness.with { harness async throws in
            let guid = SampleOrder.guid()
            let response = try await harness.post(CEBSamples.order(SampleOrder(), guid: guid), key: "key-311")
            #expect(response.status == 200)
            let reply = try XMLDocument.parse(response.body)
            #expect(reply.root?.localName == "DxpRep")
            #expect(String(decoding: response.body, as: UTF8.self).contains(guid))

            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["2", "3", "120"])
            #expect(receipts.allSatisfy { $0.file.hasPrefix("CEB312_\(guid)_") })
            #expect(receipts.allSatisfy { $0.document.root?.localName == "CEB312Message" })
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.inbox.path).filter { !$0.hasSuffix(".xml") }
            #expect(leftovers.isEmpty)
            #expect(await harness.simulator.returnStatuses(forMessageGuid: guid) == ["2", "3", "120"])
            let stats = await harness.simulator.stats()
            #expect(stats.messagesAccepted == 1)
            #expect(stats.receiptsSent == 3)
            #expect(stats.acceptedByKind == ["CEB311": 1])
            #expect(stats.appliedMessageGuids == [guid])
        }
    }

    @Test func theSameIdempotencyKeyTwiceIsAppliedOnce() async throws {
        try await SimulatorHarness.with { harness async throws in
            let guid = SampleOrder.guid()
            let envelope = SimulatorHarness.envelope(CEBSamples.order(SampleOrder(), guid: guid))
            let first = try await harness.post(envelope: envelope, key: "same-key")
            let second = try await harness.post(envelope: envelope, key: "same-key")
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.body == second.body)
            await harness.simulator.waitUntilIdle()
            let stats = await harness.simulator.stats()
            #expect(stats.requestsReceived == 2)
            #expect(stats.messagesAccepted == 1)
            #expect(stats.duplicatesRecognised == 1)
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "same-key") == 1)
            #expect(await harness.simulator.appliedMessageGuids() == [guid])
            #expect(try harness.inboxReceipts(forGuid: guid).map(\.status) == ["2", "3", "120"])
        }
    }

    @Test func theSameGuidUnderAnotherKeyIsADuplicateToo() async throws {
        try await SimulatorHarness.with { harness async throws in
            let order = CEBSamples.order(SampleOrder(), guid: SampleOrder.guid())
            #expect(try await harness.post(order, key: "k1").status == 200)
            #expect(try await harness.post(order, key: "k2").status == 200)
            await harness.simulator.waitUntilIdle()
            let stats = await harness.simulator.stats()
            #expect(stats.messagesAccepted == 1)
            #expect(stats.duplicatesRecognised == 1)
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "k2") == 0)
        }
    }

    @Test func anotherGuidForTheSameOrderNumberIsRefusedByReceipt() async throws {
        try await SimulatorHarness.with { harness async throws in
            let first = SampleOrder.guid()
            let second = SampleOrder.guid()
            #expect(try await harness.post(CEBSamples.order(SampleOrder(), guid: first), key: "a").status == 200)
            #expect(try await harness.post(CEBSamples.order(SampleOrder(), guid: second), key: "b").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: second)
            #expect(receipts.map(\.status) == ["-301010"])
            let info = receipts.first?.document.root?.elementChildren.first?.firstChild("returnInfo")?.text ?? ""
            #expect(info.contains(first))
            #expect(await harness.simulator.stats().rejections == 1)
        }
    }

    @Test func schemaInvalidMessageGetsANegativeReceipt() async throws {
        try await SimulatorHarness.with { harness async throws in
            var broken = SampleOrder()
            broken.goodsValue = "a lot"
            let guid = SampleOrder.guid()
            #expect(try await harness.post(CEBSamples.order(broken, guid: guid), key: "bad").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["-1"])
            let info = receipts.first?.document.root?.elementChildren.first?.firstChild("returnInfo")?.text ?? ""
            #expect(info.contains("goodsValue"))
            #expect(!info.contains("a lot"))
        }
    }

    @Test func inventoryAloneIsRefusedAfterTheMatchWindow() async throws {
        try await SimulatorHarness.with(matchWindowSteps: 3) { harness async throws in
            let guid = SampleOrder.guid()
            let inventory = try TestSigning.sign(CEBSamples.inventory(SampleOrder(), guid: guid))
            #expect(try await harness.post(inventory, key: "inv").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["2", "100"])
            let info = receipts.last?.document.root?.elementChildren.first?.firstChild("returnInfo")?.text ?? ""
            #expect(info.contains("CEB311") && info.contains("CEB411") && info.contains("CEB511"))
            #expect(receipts.last?.document.root?.elementChildren.first?.firstChild("invtNo") == nil)
            #expect(await harness.simulator.stats().rejections == 1)
        }
    }

    @Test func allFourMatchingDocumentsEndWithRelease() async throws {
        try await SimulatorHarness.with { harness async throws in
            let o = SampleOrder()
            let inventoryGuid = SampleOrder.guid()
            // The inventory first: it waits for the other three within the window.
            let inventory = try TestSigning.sign(CEBSamples.inventory(o, guid: inventoryGuid))
            #expect(try await harness.post(inventory, key: "621").status == 200)
            #expect(try await harness.post(CEBSamples.order(o, guid: SampleOrder.guid()), key: "311").status == 200)
            #expect(try await harness.post(CEBSamples.payment(o, guid: SampleOrder.guid()), key: "411").status == 200)
            #expect(try await harness.post(CEBSamples.waybill(o, guid: SampleOrder.guid()), key: "511").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: inventoryGuid)
            #expect(receipts.map(\.status) == ["2", "120", "399", "800"])
            let invtNos = receipts.map { $0.document.root?.elementChildren.first?.firstChild("invtNo")?.text }
            #expect(invtNos[0] == nil)
            #expect(invtNos.dropFirst().allSatisfy { $0?.count == 18 })
            let stats = await harness.simulator.stats()
            #expect(stats.messagesAccepted == 4)
            #expect(stats.rejections == 0)
            #expect(stats.receiptsByKind == ["CEB312": 3, "CEB412": 3, "CEB512": 3, "CEB622": 4])
        }
    }

    @Test func aTamperedSignatureGetsANegativeReceipt() async throws {
        try await SimulatorHarness.with { harness async throws in
            let guid = SampleOrder.guid()
            let signed = try TestSigning.sign(CEBSamples.inventory(SampleOrder(), guid: guid))
            let tampered = String(decoding: signed.serialized(pretty: false), as: UTF8.self)
                .replacingOccurrences(of: "<ceb:freight>10.00</ceb:freight>", with: "<ceb:freight>1.00</ceb:freight>")
            let document = try XMLDocument.parse(Data(tampered.utf8))
            #expect(try await harness.post(document, key: "tampered").status == 200)
            await harness.simulator.waitUntilIdle()
            // The spec's inventory signature failure (202205 §7, table 7-2): -621029 验签失败！
            #expect(try harness.inboxReceipts(forGuid: guid).map(\.status) == ["-621029"])
        }
    }

    @Test func anEnvelopeThatIsNotXMLIsRefusedWith400() async throws {
        try await SimulatorHarness.with { harness async throws in
            let response = try await harness.post(envelope: Data("not xml".utf8), key: "junk")
            #expect(response.status == 400)
            #expect(try XMLDocument.parse(response.body).root?.localName == "DxpRep")
            let stats = await harness.simulator.stats()
            #expect(stats.invalidRequests == 1)
            #expect(stats.messagesAccepted == 0)
        }
    }

    @Test func statsAndFaultsAreServedAsJSON() async throws {
        try await SimulatorHarness.with { harness async throws in
            let faultsURL = harness.baseURL.appendingPathComponent("sim/faults").absoluteString
            let set = try await harness.client.post(url: faultsURL, body: Data(#"{"failNext":1,"failStatus":502}"#.utf8), headers: [("Content-Type", "application/json")])
            #expect(set.status == 200)
            #expect(await harness.simulator.faultPlan() == FaultPlan(failNext: 1, failStatus: 502))
            #expect(try await harness.post(CEBSamples.order(SampleOrder(), guid: SampleOrder.guid()), key: "x").status == 502)
            let refused = try await harness.client.post(url: faultsURL, body: Data("{".utf8), headers: [])
            #expect(refused.status == 400)
        }
    }
}
