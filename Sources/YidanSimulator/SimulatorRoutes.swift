import Foundation
import Hummingbird

/// The simulator's HTTP surface; see `AuthoritySimulator` for the contract.
enum SimulatorRoutes {
    /// Thrown from a response body to close the connection mid-answer.
    struct SimulatedConnectionDrop: Error {}

    static func router(core: GatewayCore, clock: any Clock<Duration>, maxRequestBytes: Int) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/dxp/messages") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: maxRequestBytes)
            let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
            // Parsing and checks on this request's task, many at once; then the actor decides.
            let examination = core.examiner.examineCustoms(Data(buffer.readableBytesView))
            let handling = await core.receive(examination, idempotencyKey: key)
            if let delay = handling.delay {
                try await clock.sleep(for: delay)
            }
            return response(for: handling, clock: clock)
        }
        router.get("/sim/stats") { _, _ -> Response in
            try json(await core.currentStats())
        }
        router.get("/sim/faults") { _, _ -> Response in
            try json(await core.faultPlan())
        }
        router.post("/sim/faults") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            let plan: FaultPlan
            do {
                plan = try JSONDecoder().decode(FaultPlan.self, from: Data(buffer.readableBytesView))
            } catch {
                throw HTTPError(.badRequest, message: "body is not a fault plan")
            }
            await core.setFaultPlan(plan)
            return try json(plan)
        }
        AuthorityRoutes.register(on: router, core: core, clock: clock, maxRequestBytes: maxRequestBytes)
        return router
    }

    static func response(for handling: GatewayHandling, clock: any Clock<Duration>) -> Response {
        let bytes = handling.reply.xml()
        var headers: HTTPFields = [.contentType: "application/xml; charset=utf-8"]
        if let retryAfter = handling.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        if handling.drop {
            // No Content-Length: the head goes out with a chunked body, a few
            // bytes follow, then the error makes Hummingbird close the channel.
            let partial = ByteBuffer(bytes: bytes.prefix(16))
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(partial)
                throw SimulatedConnectionDrop()
            })
        }
        if let interval = handling.drip {
            // Chunked, one byte per interval: the client sees steady progress
            // but not the end of the answer before its own timeout.
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                for byte in bytes {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await clock.sleep(for: interval)
                }
                try await writer.finish(nil)
            })
        }
        return Response(
            status: HTTPResponse.Status(code: handling.reply.httpStatus),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
