import Foundation
import Hummingbird
import Synchronization
import Testing
import YidanCore
@testable import YidanDispatch
import YidanStore

/// Whether the test's tax desk is down.
final class DeskSwitch: Sendable {
    private let state: Mutex<Bool>
    init(down: Bool) { state = Mutex(down) }
    var isDown: Bool { state.withLock { $0 } }
    func set(down: Bool) { state.withLock { $0 = down } }
}

/// Customs answers 200; the tax desk answers 503 while it is down.
func switchableTaxServer(down: DeskSwitch, log: RequestLog) -> Router<PeerContext> {
    let router = Router(context: PeerContext.self)
    for path in ["dxp/messages", "tax/filings", "fx/filings"] {
        router.post(RouterPath(path)) { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 22)
            _ = log.record(.init(
                path: "/" + path, remotePort: context.remotePort, idempotencyKey: request.headers.value(named: "Idempotency-Key"),
                contentType: request.headers.value(named: "Content-Type"), body: Data(buffer: body)
            ))
            let failing = path == "tax/filings" && down.isDown
            return Response(status: failing ? .serviceUnavailable : .ok, body: .init(byteBuffer: ByteBuffer(string: "<Ack/>")))
        }
    }
    return router
}

/// The dispatcher's per-authority limits with a settable clock and `drainOnce`:
/// what is held stays queued with its attempts untouched.
@Suite struct DispatcherLimitsTests {
    static let t0 = DispatcherTests.t0

    static func configuration(port: Int, limits: [Authority: AuthorityLimits]) -> DispatchConfiguration {
        DispatchConfiguration(
            gatewayURL: "http://127.0.0.1:\(port)/dxp/messages", senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"],
            maxInFlight: 4, retryPolicy: RetryPolicy(baseDelay: .seconds(1), maxDelay: .seconds(1), maxAttempts: 100, jitterFraction: 0),
            authorityLimits: limits
        )
    }

    @Test func anOpenTaxBreakerHoldsTaxFilingsWhileCustomsFlowsAndAProbeClosesIt() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try await store.accept(DispatcherTests.submission("ORDER-BREAKER-1", kinds: [.ceb311, .taxImport]))
        let time = ManualTime(Self.t0)
        let down = DeskSwitch(down: true)
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let limits: [Authority: AuthorityLimits] = [.tax: AuthorityLimits(breaker: .init(failureThreshold: 1, coolDown: .seconds(60)))]

        try await withLoopbackServer(switchableTaxServer(down: down, log: log)) { port in
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: Self.configuration(port: port, limits: limits),
                now: { time.now }, jitter: { 0 }, logger: DispatcherTests.quietLogger
            )
            #expect(try await dispatcher.drainOnce() == 2)
            #expect(dispatcher.authorityHealth()[.tax]?.breaker == .open)
            #expect(dispatcher.authorityHealth()[.tax]?.openUntil == Self.t0.addingTimeInterval(60))

            // A new order: its customs filing goes, both tax filings are due but held.
            _ = try await store.accept(DispatcherTests.submission("ORDER-BREAKER-2", kinds: [.ceb311, .taxImport]))
            time.set(Self.t0.addingTimeInterval(10))
            #expect(try await dispatcher.drainOnce() == 1)
            let held = try await store.filings(status: .queued, limit: 10)
            #expect(held.map(\.kind) == [.taxImport, .taxImport])
            #expect(held.map(\.attempts).sorted() == [0, 1])
            #expect(log.count(path: "/tax/filings") == 1)

            // Cool-down over, desk still down: one probe fails and re-opens the breaker.
            time.set(Self.t0.addingTimeInterval(60))
            #expect(try await dispatcher.drainOnce() == 1)
            #expect(dispatcher.authorityHealth()[.tax]?.openUntil == Self.t0.addingTimeInterval(120))
            #expect(log.count(path: "/tax/filings") == 2)

            // Desk back: the next probe succeeds, the breaker closes, the other tax filing follows.
            down.set(down: false)
            time.set(Self.t0.addingTimeInterval(120))
            #expect(try await dispatcher.drainOnce() == 2)
            let health = dispatcher.authorityHealth()
            #expect(health[.tax]?.breaker == .closed && health[.tax]?.consecutiveFailures == 0 && health[.tax]?.inFlight == 0)
            #expect(health[.customs]?.recentErrorRate == 0 && health[.customs]?.recentAttempts == 2)
        }
        await client.shutdown()
        #expect(try await store.filings(status: .delivered, limit: 10).count == 4)
        #expect(log.count(path: "/tax/filings") == 4)
    }

    @Test func aRateLimitLetsABurstGoThenOneRequestPerToken() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        _ = try await store.accept(DispatcherTests.submission("ORDER-RATE", kinds: [.ceb311, .ceb411, .ceb511, .fxPayment]))
        let time = ManualTime(Self.t0)
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let limits: [Authority: AuthorityLimits] = [.customs: AuthorityLimits(requestsPerSecond: 0.5, burst: 2)]

        try await withLoopbackServer(switchableTaxServer(down: DeskSwitch(down: false), log: log)) { port in
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: Self.configuration(port: port, limits: limits),
                now: { time.now }, jitter: { 0 }, logger: DispatcherTests.quietLogger
            )
            // The burst of two customs messages, and the FX filing, which has no limit.
            let first = try await dispatcher.drainOnce()
            #expect(first == 3)
            #expect(log.count(path: "/dxp/messages") == 2)
            time.set(Self.t0.addingTimeInterval(1))
            #expect(try await dispatcher.drainOnce() == 0)
            time.set(Self.t0.addingTimeInterval(2))
            #expect(try await dispatcher.drainOnce() == 1)
        }
        await client.shutdown()
        #expect(try await store.filings(status: .delivered, limit: 10).count == 4)
    }
}
