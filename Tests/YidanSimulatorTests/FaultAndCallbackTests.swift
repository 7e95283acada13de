import Foundation
import Hummingbird
import Testing
import YidanCore
import YidanDispatch
import YidanMapping
import YidanXML
@testable import YidanSimulator

/// Fault injection and receipt callbacks over real HTTP.
@Suite struct FaultAndCallbackTests {
    @Test func failsTheNextTwoRequestsWith503AndRetryAfter() async throws {
        try await SimulatorHarness.with(faults: FaultPlan(failNext: 2, retryAfterSeconds: 1)) { harness async throws in
            let envelope = SimulatorHarness.envelope(CEBSamples.order(SampleOrder(), guid: SampleOrder.guid()))
            let first = try await harness.post(envelope: envelope, key: "retry-me")
            let second = try await harness.post(envelope: envelope, key: "retry-me")
            let third = try await harness.post(envelope: envelope, key: "retry-me")
            #expect(first.status == 503)
            #expect(second.status == 503)
            #expect(SimulatorHarness.header(first, "Retry-After") == "1")
            #expect(SimulatorHarness.header(second, "Retry-After") == "1")
            #expect(third.status == 200)
            #expect(SimulatorHarness.header(third, "Retry-After") == nil)
            await harness.simulator.waitUntilIdle()
            let stats = await harness.simulator.stats()
            #expect(stats.faultsInjected == 2)
            #expect(stats.messagesAccepted == 1)
            #expect(stats.duplicatesRecognised == 0)
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "retry-me") == 1)
        }
    }

    @Test func aDroppedAnswerIsATransportErrorButTheMessageWasApplied() async throws {
        try await SimulatorHarness.with(faults: FaultPlan(dropNext: 1)) { harness async throws in
            let envelope = SimulatorHarness.envelope(CEBSamples.order(SampleOrder(), guid: SampleOrder.guid()))
            let error = await #expect(throws: YidanError.self) {
                _ = try await harness.post(envelope: envelope, key: "dropped")
            }
            // Headers of a 200 arrived, then the connection closed mid-body: no status for the client.
            let failure = try #require(error?.cause as? TransportFailure)
            #expect(failure.kind == .reset, "\(failure)")
            // The client retries: the gateway recognises it and answers as the first time.
            let retry = try await harness.post(envelope: envelope, key: "dropped")
            #expect(retry.status == 200)
            await harness.simulator.waitUntilIdle()
            let stats = await harness.simulator.stats()
            #expect(stats.messagesAccepted == 1)
            #expect(stats.duplicatesRecognised == 1)
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "dropped") == 1)
        }
    }

    @Test func slowAnswersOutlastAShortClientTimeout() async throws {
        try await SimulatorHarness.with(faults: FaultPlan(answerDelayMilliseconds: 1500)) { harness async throws in
            let impatient = try CurlHTTPClient(configuration: .init(timeout: .milliseconds(200)))
            let envelope = SimulatorHarness.envelope(CEBSamples.order(SampleOrder(), guid: SampleOrder.guid()))
            await #expect(throws: YidanError.self) {
                _ = try await impatient.post(url: harness.messagesURL, body: envelope, headers: [("Idempotency-Key", "slow")])
            }
            await impatient.shutdown()
            await harness.simulator.setFaultPlan(FaultPlan())
            #expect(try await harness.post(envelope: envelope, key: "slow").status == 200)
            #expect(await harness.simulator.appliedCount(forIdempotencyKey: "slow") == 1)
            #expect(await harness.simulator.stats().duplicatesRecognised == 1)
        }
    }

    @Test func duplicateAndOutOfOrderReceipts() async throws {
        try await SimulatorHarness.with(faults: FaultPlan(duplicateReceipts: true, outOfOrderReceipts: true)) { harness async throws in
            let guid = SampleOrder.guid()
            #expect(try await harness.post(CEBSamples.order(SampleOrder(), guid: guid), key: "dup").status == 200)
            await harness.simulator.waitUntilIdle()
            let receipts = try harness.inboxReceipts(forGuid: guid)
            #expect(receipts.map(\.status) == ["2", "2", "120", "120", "3", "3"])
            // A duplicate is the same receipt document delivered twice.
            #expect(receipts[0].document.root?.attribute("guid") == receipts[1].document.root?.attribute("guid"))
            #expect(await harness.simulator.stats().receiptsSent == 6)
        }
    }

    @Test func receiptsAreCalledBackAsDxpEnvelopes() async throws {
        let received = ReceivedBodies()
        let (callback, receiverTask) = try await ReceivedBodies.startReceiver(collectingInto: received)
        defer { receiverTask.cancel() }

        try await SimulatorHarness.with(callbackURL: callback, useInbox: false) { harness async throws in
            let guid = SampleOrder.guid()
            #expect(try await harness.post(CEBSamples.payment(SampleOrder(), guid: guid), key: "cb").status == 200)
            await harness.simulator.waitUntilIdle()
            let bodies = await received.bodies
            #expect(bodies.count == 3)
            var statuses: [String] = []
            for body in bodies {
                let envelope = try DxpEnvelope.parse(body)
                #expect(envelope.msgType == "CEB412Message")
                #expect(envelope.receiverIds == ["DXPENT0000000001"])
                let receipt = try XMLDocument.parse(envelope.data)
                let entry = try #require(receipt.root?.firstChild("PaymentReturn", namespaceURI: CEBSamples.ceb))
                #expect(entry.firstChild("guid")?.text == guid)
                statuses.append(entry.firstChild("returnStatus")?.text ?? "")
            }
            #expect(statuses == ["2", "3", "120"])
        }
    }

    @Test func unreachableCallbackIsCountedAsADeliveryFailure() async throws {
        // Port 9 (discard) on loopback refuses connections.
        let callback = try #require(URL(string: "http://127.0.0.1:9/v1/receipts"))
        try await SimulatorHarness.with(callbackURL: callback, useInbox: false) { harness async throws in
            #expect(try await harness.post(CEBSamples.waybill(SampleOrder(), guid: SampleOrder.guid()), key: "lost").status == 200)
            await harness.simulator.waitUntilIdle()
            let stats = await harness.simulator.stats()
            #expect(stats.receiptDeliveryFailures == 3)
            #expect(stats.receiptsSent == 0)
        }
    }
}

@Suite struct SimulatorLifecycleTests {
    @Test func startFailsWhenThePortIsTaken() async throws {
        let first = try AuthoritySimulator(configuration: SimulatorConfiguration(schemaURL: TestPaths.schema))
        let url = try await first.start()
        let port = try #require(url.port)
        let second = try AuthoritySimulator(configuration: SimulatorConfiguration(port: port, schemaURL: TestPaths.schema))
        await #expect(throws: (any Error).self) {
            _ = try await second.start()
        }
        await second.stop()
        #expect(first.baseURL == url)
        await first.stop()
        #expect(first.baseURL == nil)
    }

    @Test func aMissingSchemaIsAConfigurationError() throws {
        let missing = TestPaths.root.appendingPathComponent("Mappings/schemas/no-such.xsd")
        #expect(throws: YidanError.self) {
            _ = try AuthoritySimulator(configuration: SimulatorConfiguration(schemaURL: missing))
        }
    }
}

actor ReceivedBodies {
    var bodies: [Data] = []
    func append(_ body: Data) { bodies.append(body) }

    /// A loopback receiver of receipt callbacks (`POST /v1/receipts`) that
    /// collects every body; returns its URL and the task to cancel at the end.
    static func startReceiver(collectingInto received: ReceivedBodies) async throws -> (URL, Task<Void, any Error>) {
        let router = Router()
        router.post("/v1/receipts") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            await received.append(Data(body.readableBytesView))
            return .ok
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let receiver = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portContinuation.yield(port) }
            }
        )
        let task = Task { try await receiver.runService() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), let url = URL(string: "http://127.0.0.1:\(port)/v1/receipts") else {
            task.cancel()
            throw YidanError(.configuration, "the test receipt receiver did not start")
        }
        return (url, task)
    }
}
