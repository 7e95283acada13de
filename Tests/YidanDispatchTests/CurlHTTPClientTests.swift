import Foundation
import Hummingbird
import Testing
import YidanCore
@testable import YidanDispatch

@Suite("CurlHTTPClient over loopback")
struct CurlHTTPClientTests {
    /// Routes: /echo answers 200 with the request body; /busy answers 503 with
    /// Retry-After 7; /hold answers only once `release` opens (after `arrived`).
    func makeRouter(log: RequestLog, arrived: Gate = Gate(), release: Gate = Gate()) -> Router<PeerContext> {
        let router = Router(context: PeerContext.self)
        router.post("echo") { request, context -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            _ = log.record(.init(
                path: "echo", remotePort: context.remotePort,
                idempotencyKey: request.headers.value(named: "Idempotency-Key"), contentType: request.headers.value(named: "Content-Type"),
                body: Data(buffer: body)
            ))
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: body))
        }
        router.post("busy") { request, context -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            _ = log.record(.init(path: "busy", remotePort: context.remotePort, body: Data()))
            return Response(status: .serviceUnavailable, headers: [.retryAfter: "7"], body: .init(byteBuffer: ByteBuffer(string: "busy")))
        }
        router.post("hold") { request, context -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            _ = log.record(.init(path: "hold", remotePort: context.remotePort, body: Data()))
            arrived.open()
            await release.wait()
            return Response(status: .ok)
        }
        return router
    }

    @Test("200: status, headers and the exact body travel both ways")
    func ok() async throws {
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let payload = Data((0..<5000).map { UInt8($0 % 251) }) + Data("<中文/>".utf8)
        let response = try await withLoopbackServer(makeRouter(log: log)) { port in
            try await client.post(
                url: "http://127.0.0.1:\(port)/echo", body: payload,
                headers: [("Content-Type", "application/xml; charset=utf-8"), ("Idempotency-Key", "abc123")]
            )
        }
        await client.shutdown()
        #expect(response.status == 200)
        #expect(response.body == payload)
        #expect(response.header("content-type") == "application/octet-stream")
        #expect(response.latency > .zero)
        let seen = try #require(log.all.first)
        #expect(seen.body == payload)
        #expect(seen.idempotencyKey == "abc123")
        #expect(seen.contentType == "application/xml; charset=utf-8")
    }

    @Test("an empty body is posted as Content-Length 0")
    func emptyBody() async throws {
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let response = try await withLoopbackServer(makeRouter(log: log)) { port in
            try await client.post(url: "http://127.0.0.1:\(port)/echo", body: Data(), headers: [])
        }
        await client.shutdown()
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test("503 with Retry-After is a response, and the policy schedules the retry from it")
    func serviceUnavailable() async throws {
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let response = try await withLoopbackServer(makeRouter(log: log)) { port in
            try await client.post(url: "http://127.0.0.1:\(port)/busy", body: Data("x".utf8), headers: [])
        }
        await client.shutdown()
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(response.status == 503)
        #expect(response.retryAfterSeconds(now: now) == 7)
        #expect(response.deliveryResult(now: now) == .response(status: 503, retryAfterSeconds: 7))
        let policy = RetryPolicy(baseDelay: .seconds(1), maxAttempts: 3)
        #expect(policy.decide(attempt: 1, result: response.deliveryResult(now: now), now: now, jitter: 0)
            == .retry(at: now.addingTimeInterval(7), reason: "HTTP 503"))
    }

    @Test("a closed port is a connect-failed transport error")
    func connectionRefused() async throws {
        let closed = try ClosedLoopbackPort()
        let port = closed.port
        let client = try CurlHTTPClient()
        do {
            _ = try await client.post(url: "http://127.0.0.1:\(port)/echo", body: Data("x".utf8), headers: [])
            Issue.record("expected a transport error")
        } catch {
            let failure = try #require(TransportFailure.from(error))
            #expect(failure.kind == .connectFailed)
            #expect((error as? YidanError)?.code == .transport)
        }
        withExtendedLifetime(closed) {}
        await client.shutdown()
    }

    @Test("a handler slower than the total timeout is a timeout transport error")
    func timeout() async throws {
        let log = RequestLog()
        let release = Gate()
        let client = try CurlHTTPClient(configuration: .init(timeout: .milliseconds(300)))
        let outcome: Result<HTTPClientResponse, any Error> = try await withLoopbackServer(makeRouter(log: log, release: release)) { port in
            let result: Result<HTTPClientResponse, any Error>
            do {
                result = .success(try await client.post(url: "http://127.0.0.1:\(port)/hold", body: Data("x".utf8), headers: []))
            } catch {
                result = .failure(error)
            }
            release.open()  // let the server finish its handler so it can stop
            return result
        }
        await client.shutdown()
        guard case .failure(let error) = outcome else {
            Issue.record("expected a timeout, got a response")
            return
        }
        #expect(TransportFailure.from(error)?.kind == .timeout)
        #expect(log.count(path: "hold") == 1)
    }

    @Test("20 concurrent posts all complete with their own bodies")
    func concurrent() async throws {
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let bodies = try await withLoopbackServer(makeRouter(log: log)) { port in
            try await withThrowingTaskGroup(of: (Int, Data).self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let response = try await client.post(
                            url: "http://127.0.0.1:\(port)/echo", body: Data("request \(index)".utf8), headers: []
                        )
                        #expect(response.status == 200)
                        return (index, response.body)
                    }
                }
                var collected: [Int: Data] = [:]
                for try await (index, body) in group { collected[index] = body }
                return collected
            }
        }
        await client.shutdown()
        #expect(bodies.count == 20)
        for index in 0..<20 {
            #expect(bodies[index] == Data("request \(index)".utf8))
        }
        #expect(log.count(path: "echo") == 20)
    }

    @Test("sequential posts reuse one kept-alive connection")
    func keepAlive() async throws {
        let log = RequestLog()
        let client = try CurlHTTPClient()
        let responses = try await withLoopbackServer(makeRouter(log: log)) { port in
            var responses: [HTTPClientResponse] = []
            for index in 0..<3 {
                responses.append(try await client.post(url: "http://127.0.0.1:\(port)/echo", body: Data("\(index)".utf8), headers: []))
            }
            return responses
        }
        await client.shutdown()
        #expect(responses.map(\.newConnections) == [1, 0, 0])
        let serverPorts = Set(log.all.compactMap(\.remotePort))
        #expect(serverPorts.count == 1)
        #expect(serverPorts.first == responses.first?.localPort)
    }

    @Test("cancelling the task cancels the transfer")
    func cancellation() async throws {
        let log = RequestLog()
        let arrived = Gate()
        let release = Gate()
        let client = try CurlHTTPClient()
        try await withLoopbackServer(makeRouter(log: log, arrived: arrived, release: release)) { port in
            let task = Task {
                try await client.post(url: "http://127.0.0.1:\(port)/hold", body: Data("x".utf8), headers: [])
            }
            await arrived.wait()
            task.cancel()
            let result = await task.result
            release.open()
            #expect(throws: CancellationError.self) { try result.get() }
        }
        await client.shutdown()
    }

    @Test("after shutdown, posts fail with a transport error")
    func afterShutdown() async throws {
        let client = try CurlHTTPClient()
        await client.shutdown()
        await client.shutdown()  // twice is fine
        await #expect(throws: YidanError.self) {
            _ = try await client.post(url: "http://127.0.0.1:1/echo", body: Data(), headers: [])
        }
    }

    @Test("header values cannot smuggle extra header lines")
    func headerInjection() async throws {
        let client = try CurlHTTPClient()
        await #expect(throws: YidanError.self) {
            _ = try await client.post(url: "http://127.0.0.1:1/echo", body: Data(), headers: [("X-A", "1\r\nX-B: 2")])
        }
        await client.shutdown()
    }

    @Test("Retry-After as an HTTP date counts from now")
    func retryAfterDate() {
        let response = HTTPClientResponse(
            status: 429, headers: [(name: "retry-after", value: "Wed, 21 Oct 2015 07:28:00 GMT")],
            body: Data(), latency: .zero, newConnections: 0, localPort: 0
        )
        let now = Date(timeIntervalSince1970: 1_445_412_480 - 90)  // 90 s before that date
        #expect(response.retryAfterSeconds(now: now) == 90)
        let garbage = HTTPClientResponse(status: 429, headers: [(name: "Retry-After", value: "soon")], body: Data(), latency: .zero, newConnections: 0, localPort: 0)
        #expect(garbage.retryAfterSeconds(now: now) == nil)
    }
}
