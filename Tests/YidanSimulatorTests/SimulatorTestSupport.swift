import Foundation
import Testing
import YidanCore
import YidanDispatch
import YidanMapping
import YidanSigning
import YidanXML
@testable import YidanSimulator

/// A running simulator on loopback with an inbox folder, plus a libcurl client.
struct SimulatorHarness {
    let simulator: AuthoritySimulator
    let baseURL: URL
    let inbox: URL
    let client: CurlHTTPClient

    var messagesURL: String { baseURL.appendingPathComponent("dxp/messages").absoluteString }

    /// Starts a simulator with tiny step delays, runs `body`, then stops it.
    static func with(
        matchWindowSteps: Int = 10,
        callbackURL: URL? = nil,
        useInbox: Bool = true,
        faults: FaultPlan = FaultPlan(),
        _ body: (SimulatorHarness) async throws -> Void
    ) async throws {
        let inbox = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: inbox) }
        let configuration = SimulatorConfiguration(
            stepDelay: .milliseconds(1), matchWindowSteps: matchWindowSteps, callbackURL: callbackURL,
            inboxDirectory: useInbox ? inbox : nil, schemaURL: TestPaths.schema, faultPlan: faults
        )
        let simulator = try AuthoritySimulator(configuration: configuration)
        let baseURL = try await simulator.start()
        let client = try CurlHTTPClient()
        do {
            try await body(SimulatorHarness(simulator: simulator, baseURL: baseURL, inbox: inbox, client: client))
        } catch {
            await client.shutdown()
            await simulator.stop()
            throw error
        }
        await client.shutdown()
        await simulator.stop()
    }

    /// POSTs a message in a DxpMsg envelope.
    func post(_ document: XMLDocument, key: String? = nil) async throws -> HTTPClientResponse {
        try await post(envelope: Self.envelope(document), key: key)
    }

    func post(envelope: Data, key: String?) async throws -> HTTPClientResponse {
        var headers = [("Content-Type", "application/xml")]
        if let key { headers.append(("Idempotency-Key", key)) }
        return try await client.post(url: messagesURL, body: envelope, headers: headers)
    }

    static func envelope(_ document: XMLDocument) -> Data {
        let name = document.root?.localName ?? "CEB311Message"
        return DxpEnvelope(
            copMsgId: UUID().uuidString, senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"],
            createTime: ZonedDateTime.now(), msgType: name, data: document.serialized(pretty: false)
        ).xml()
    }

    /// Receipts in the inbox folder for one message, in delivery order.
    func inboxReceipts(forGuid guid: String) throws -> [(file: String, status: String, document: XMLDocument)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: inbox.path)
            .filter { $0.contains("_\(guid)_") && $0.hasSuffix(".xml") }
            .sorted()
        return try names.map { name in
            let document = try XMLDocument.parse(Data(contentsOf: inbox.appendingPathComponent(name)))
            let status = document.root?.elementChildren.first?
                .firstChild("returnStatus", namespaceURI: CEBSamples.ceb)?.text ?? ""
            return (name, status, document)
        }
    }

    static func header(_ response: HTTPClientResponse, _ name: String) -> String? {
        response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

enum TestSigning {
    static func sign(_ document: XMLDocument) throws -> XMLDocument {
        let signer = try PEMRSASigner(
            privateKeyPEM: String(contentsOf: TestPaths.root.appendingPathComponent("Fixtures/keys/test-signing-key.pem"), encoding: .utf8),
            certificatePEM: String(contentsOf: TestPaths.root.appendingPathComponent("Fixtures/keys/test-signing-cert.pem"), encoding: .utf8),
            keyName: "0001", algorithm: .rsaSHA256
        )
        try XMLSignature.signEnveloped(document, with: signer)
        return document
    }
}
