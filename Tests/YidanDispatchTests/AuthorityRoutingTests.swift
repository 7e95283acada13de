import Foundation
import Hummingbird
import Testing
import YidanCore
@testable import YidanDispatch
import YidanMapping
import YidanStore

/// One server standing in for customs, tax and FX: records every request's path.
func authorityServer(log: RequestLog) -> Router<PeerContext> {
    let router = Router(context: PeerContext.self)
    for path in ["dxp/messages", "tax/filings", "fx/filings"] {
        router.post(RouterPath(path)) { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 22)
            _ = log.record(.init(
                path: "/" + path, remotePort: context.remotePort,
                idempotencyKey: request.headers.value(named: "Idempotency-Key"),
                contentType: request.headers.value(named: "Content-Type"),
                body: Data(buffer: body)
            ))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<Ack status=\"received\"/>")))
        }
    }
    return router
}

@Suite("Dispatcher routes each authority's filings to its own endpoint")
struct AuthorityRoutingTests {
    @Test("customs kinds go to the gateway in a DxpMsg; tax and FX filings are posted as their XML with Idempotency-Key")
    func routesByAuthority() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let submission = DispatcherTests.submission("ORDER-ROUTE", kinds: [.ceb311, .taxImport, .fxPayment])
        _ = try await store.accept(submission)
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let policy = RetryPolicy(baseDelay: .seconds(10), maxDelay: .seconds(60), maxAttempts: 3)

        try await withLoopbackServer(authorityServer(log: log)) { port in
            // The existing initializer: only the gateway is given, tax and FX are derived from it.
            let configuration = DispatchConfiguration(
                gatewayURL: "http://127.0.0.1:\(port)/dxp/messages", senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"],
                maxInFlight: 4, retryPolicy: policy
            )
            #expect(configuration.endpoint(for: .tax) == "http://127.0.0.1:\(port)/tax/filings")
            #expect(configuration.endpoint(for: .fx) == "http://127.0.0.1:\(port)/fx/filings")
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: configuration,
                now: { DispatcherTests.t0 }, jitter: { 0 }, logger: DispatcherTests.quietLogger
            )
            let attempts = try await dispatcher.drainOnce()
            #expect(attempts == 3)
        }
        await client.shutdown()

        let seen = log.all
        #expect(seen.map(\.path).sorted() == ["/dxp/messages", "/fx/filings", "/tax/filings"])
        for filing in submission.filings {
            let record = try #require(try await store.filing(id: filing.id))
            #expect(record.status == .delivered)
            let path = switch filing.kind.authority {
            case .customs: "/dxp/messages"
            case .tax: "/tax/filings"
            case .fx: "/fx/filings"
            }
            let request = try #require(seen.first { $0.path == path })
            #expect(request.idempotencyKey == filing.idempotencyKey)
            if filing.kind.authority == .customs {
                #expect(request.contentType == "application/xml; charset=utf-8")
                let envelope = try DxpEnvelope.parse(request.body)
                #expect(envelope.msgType == "CEB311Message")
                #expect(envelope.data == filing.payload)
            } else {
                // No envelope: the filing's own bytes.
                #expect(request.contentType == "application/xml")
                #expect(request.body == filing.payload)
            }
        }
    }

    @Test("explicit endpoints win over the derived ones")
    func explicitEndpoints() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let submission = DispatcherTests.submission("ORDER-EXPLICIT", kinds: [.taxImport, .fxPayment])
        _ = try await store.accept(submission)
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let closed = try ClosedLoopbackPort()
        let unused = closed.port
        defer { withExtendedLifetime(closed) {} }

        try await withLoopbackServer(authorityServer(log: log)) { port in
            // The gateway points nowhere; tax and FX go to the server (swapped on purpose).
            let configuration = DispatchConfiguration(
                gatewayURL: "http://127.0.0.1:\(unused)/dxp/messages", senderId: "S", receiverIds: ["R"],
                endpoints: [.tax: "http://127.0.0.1:\(port)/fx/filings", .fx: "http://127.0.0.1:\(port)/tax/filings"]
            )
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: configuration,
                now: { DispatcherTests.t0 }, jitter: { 0 }, logger: DispatcherTests.quietLogger
            )
            let attempts = try await dispatcher.drainOnce()
            #expect(attempts == 2)
        }
        await client.shutdown()

        let seen = log.all
        let tax = try #require(submission.filings.first { $0.kind == .taxImport })
        let fx = try #require(submission.filings.first { $0.kind == .fxPayment })
        #expect(seen.first { $0.path == "/fx/filings" }?.body == tax.payload)
        #expect(seen.first { $0.path == "/tax/filings" }?.body == fx.payload)
    }

    @Test("default endpoints keep the gateway's scheme, host and port")
    func derivedEndpoints() {
        #expect(DispatchConfiguration.defaultEndpoint(for: .tax, gatewayURL: "https://gw.example:8443/dxp/messages?x=1") == "https://gw.example:8443/tax/filings")
        #expect(DispatchConfiguration.defaultEndpoint(for: .fx, gatewayURL: "http://gw.example/dxp") == "http://gw.example/fx/filings")
        #expect(DispatchConfiguration.defaultEndpoint(for: .customs, gatewayURL: "http://gw.example/dxp") == "http://gw.example/dxp")
        #expect(DispatchConfiguration.defaultEndpoint(for: .tax, gatewayURL: "not a url") == nil)
    }
}
