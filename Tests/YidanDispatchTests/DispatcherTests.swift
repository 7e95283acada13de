import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import YidanCore
@testable import YidanDispatch
import YidanMapping
import YidanStore

/// A real SQLite store in a fresh temporary folder.
final class TemporaryStore: Sendable {
    let folder: URL
    let store: SQLiteFilingStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-dispatch-\(UUID().uuidString)", isDirectory: true)
        store = try SQLiteFilingStore(path: folder.appendingPathComponent("yidan.sqlite").path)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// A settable "now" for the dispatcher and the store.
final class ManualTime: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func set(_ date: Date) { current.withLock { $0 = date } }
}

/// A gateway answering with the scripted statuses in turn (the last one repeats),
/// counting requests and opening `done` when `expected` requests have arrived.
func scriptedGateway(_ statuses: [Int], log: RequestLog, expected: Int = .max, done: Gate = Gate()) -> Router<PeerContext> {
    let router = Router(context: PeerContext.self)
    router.post("dxp") { request, context -> Response in
        let body = try await request.body.collect(upTo: 1 << 22)
        let number = log.record(.init(
            path: "dxp", remotePort: context.remotePort,
            idempotencyKey: request.headers.value(named: "Idempotency-Key"),
            contentType: request.headers.value(named: "Content-Type"),
            body: Data(buffer: body)
        ))
        if number >= expected { done.open() }
        let status = statuses[min(number, statuses.count) - 1]
        let reply = "<DxpRep ver=\"1.0\"><ResponseCode>\(status)</ResponseCode></DxpRep>"
        return Response(status: .init(code: status), headers: [.retryAfter: "1"], body: .init(byteBuffer: ByteBuffer(string: reply)))
    }
    return router
}

@Suite("Dispatcher with a real SQLite store and a loopback gateway")
struct DispatcherTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

    static func submission(_ orderNo: String, kinds: [MessageKind] = [.ceb311]) -> OrderSubmission {
        let filings = kinds.map { kind in
            let id = UUID().uuidString.uppercased()
            return PreparedFiling(
                id: id, kind: kind,
                payload: Data("<\(kind.rootElement) guid=\"\(id)\">签名的报文</\(kind.rootElement)>".utf8),
                idempotencyKey: "key-\(orderNo)-\(kind.rawValue)".lowercased()
            )
        }
        return OrderSubmission(orderNo: orderNo, platform: "test", orderJSON: Data("{}".utf8), filings: filings, allowance: nil, acceptedAt: t0)
    }

    static func configuration(port: Int, policy: RetryPolicy, pollInterval: Duration = .seconds(5)) -> DispatchConfiguration {
        DispatchConfiguration(
            gatewayURL: "http://127.0.0.1:\(port)/dxp", senderId: "DXPENT0000000001", receiverIds: ["DXPEDCCEB0000002"],
            maxInFlight: 4, lease: .seconds(120), pollInterval: pollInterval, retryPolicy: policy
        )
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "yidan.test.dispatch")
        logger.logLevel = .critical
        return logger
    }

    @Test("two 503s then 200: delivered on the third attempt, same Idempotency-Key and bytes each time")
    func retriesUntilDelivered() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let submission = Self.submission("ORDER-RETRY")
        _ = try await store.accept(submission)
        let filing = try #require(submission.filings.first)
        let time = ManualTime(Self.t0)
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let policy = RetryPolicy(baseDelay: .seconds(10), multiplier: 2, maxDelay: .seconds(60), maxAttempts: 5, jitterFraction: 0.5)

        try await withLoopbackServer(scriptedGateway([503, 503, 200], log: log)) { port in
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: Self.configuration(port: port, policy: policy),
                now: { time.now }, jitter: { 0 }, logger: Self.quietLogger
            )
            #expect(try await dispatcher.drainOnce() == 1)
            var record = try #require(try await store.filing(id: filing.id))
            #expect(record.status == .queued)
            #expect(record.attempts == 1)
            #expect(record.nextAttemptAt == Self.t0.addingTimeInterval(10))

            // Not due yet: nothing happens.
            #expect(try await dispatcher.drainOnce() == 0)

            time.set(Self.t0.addingTimeInterval(10))
            #expect(try await dispatcher.drainOnce() == 1)
            record = try #require(try await store.filing(id: filing.id))
            #expect(record.status == .queued)
            #expect(record.nextAttemptAt == Self.t0.addingTimeInterval(30))

            time.set(Self.t0.addingTimeInterval(30))
            #expect(try await dispatcher.drainOnce() == 1)
        }
        await client.shutdown()

        let record = try #require(try await store.filing(id: filing.id))
        #expect(record.status == .delivered)
        #expect(record.attempts == 3)
        let attempts = try await store.attempts(filingID: filing.id)
        #expect(attempts.map(\.number) == [1, 2, 3])
        #expect(attempts.map(\.httpStatus) == [503, 503, 200])
        #expect(attempts.map(\.error) == ["HTTP 503", "HTTP 503", nil])

        let seen = log.all
        #expect(seen.count == 3)
        #expect(seen.allSatisfy { $0.idempotencyKey == filing.idempotencyKey })
        #expect(seen.allSatisfy { $0.contentType == "application/xml; charset=utf-8" })
        #expect(Set(seen.map(\.body)).count == 1)
        let envelope = try DxpEnvelope.parse(try #require(seen.first).body)
        #expect(envelope.copMsgId == filing.id)
        #expect(envelope.msgType == "CEB311Message")
        #expect(envelope.senderId == "DXPENT0000000001")
        #expect(envelope.receiverIds == ["DXPEDCCEB0000002"])
        #expect(envelope.data == filing.payload)
        #expect(envelope.createTime.instant == Self.t0)
    }

    @Test("a permanent 400 is dead after one attempt")
    func permanentFailure() async throws {
        let temporary = try TemporaryStore()
        let submission = Self.submission("ORDER-BAD")
        _ = try await temporary.store.accept(submission)
        let filing = try #require(submission.filings.first)
        let client = try CurlHTTPClient()
        try await withLoopbackServer(scriptedGateway([400], log: RequestLog())) { port in
            let dispatcher = Dispatcher(
                store: temporary.store, client: client, configuration: Self.configuration(port: port, policy: .standard),
                now: { Self.t0 }, jitter: { 0 }, logger: Self.quietLogger
            )
            let count = try await dispatcher.drainOnce()
            #expect(count == 1)
        }
        await client.shutdown()
        let record = try #require(try await temporary.store.filing(id: filing.id))
        #expect(record.status == .dead)
        #expect(record.lastError == "HTTP 400")
    }

    @Test("an unreachable gateway records a transport error and schedules a retry")
    func unreachable() async throws {
        let temporary = try TemporaryStore()
        let submission = Self.submission("ORDER-DOWN")
        _ = try await temporary.store.accept(submission)
        let filing = try #require(submission.filings.first)
        let client = try CurlHTTPClient()
        let closed = try ClosedLoopbackPort()
        let port = closed.port
        let policy = RetryPolicy(baseDelay: .seconds(4), jitterFraction: 0)
        let dispatcher = Dispatcher(
            store: temporary.store, client: client, configuration: Self.configuration(port: port, policy: policy),
            now: { Self.t0 }, jitter: { 0.5 }, logger: Self.quietLogger
        )
        let count = try await dispatcher.drainOnce()
        withExtendedLifetime(closed) {}
        #expect(count == 1)
        await client.shutdown()
        let record = try #require(try await temporary.store.filing(id: filing.id))
        #expect(record.status == .queued)
        #expect(record.nextAttemptAt == Self.t0.addingTimeInterval(4))
        let attempt = try #require(try await temporary.store.attempts(filingID: filing.id).first)
        #expect(attempt.httpStatus == nil)
        #expect(attempt.error?.hasPrefix("transport connect-failed") == true)
    }

    @Test("as a service: woken for new filings, retries on its own, stops gracefully")
    func runAsService() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let log = RequestLog()
        let done = Gate()
        let client = try CurlHTTPClient()
        // Two filings: the first two requests fail, then everything succeeds.
        let router = scriptedGateway([503, 503, 200], log: log, expected: 4, done: done)
        let policy = RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxAttempts: 5, jitterFraction: 0, maxRetryAfter: .zero)
        let submission = Self.submission("ORDER-SERVICE", kinds: [.ceb311, .ceb621])

        try await withLoopbackServer(router) { port in
            // A long poll interval: only wake() and due times can make progress quickly.
            let dispatcher = Dispatcher(
                store: store, client: client, configuration: Self.configuration(port: port, policy: policy, pollInterval: .seconds(3600)),
                logger: Self.quietLogger
            )
            let group = ServiceGroup(services: [dispatcher], logger: Self.quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                _ = try await store.accept(submission)
                dispatcher.wake()
                await done.wait()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
        await client.shutdown()

        for filing in submission.filings {
            let record = try #require(try await store.filing(id: filing.id))
            #expect(record.status == .delivered)
            let keys = log.all.filter { (try? DxpEnvelope.parse($0.body).copMsgId) == filing.id }.map(\.idempotencyKey)
            #expect(keys.allSatisfy { $0 == filing.idempotencyKey })
            #expect(keys.count == record.attempts)
        }
        let total = try await submission.filings.asyncMap { try await store.attempts(filingID: $0.id).count }.reduce(0, +)
        #expect(total == 4)
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
