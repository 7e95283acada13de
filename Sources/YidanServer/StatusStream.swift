import Foundation
import Hummingbird
import ServiceLifecycle
import YidanCore
import YidanStore

/// `GET /v1/stream`: server-sent events of every filing status move the key
/// may see. It follows the store's status-change log by id, so it shows moves
/// made by any process sharing the store (dispatchers, `yidan run`, receipts),
/// not only this one's. A client resumes with `Last-Event-ID` (or `?after=`);
/// without it the stream starts at the newest move.
struct StatusStream: Sendable {
    let store: any BrokerStore & AccessStore
    /// How often the log is read when nothing new came.
    let pollInterval: Duration
    /// A comment line this often keeps proxies from closing an idle stream.
    let heartbeat: Duration

    func response(after requested: Int64?, for principal: Principal) async throws -> Response {
        let start: Int64
        if let requested { start = requested } else { start = try await store.lastStatusChangeID() }
        let store = store
        let pollInterval = pollInterval
        let heartbeat = heartbeat
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var last = start
            var quietSince = ContinuousClock.now
            // The first bytes tell the client the stream is open (and where it starts).
            try await writer.write(ByteBuffer(string: "retry: 2000\n: stream after \(start)\n\n"))
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let changes = try await store.statusChanges(after: last, limit: 200)
                for change in changes {
                    last = change.id
                    guard principal.mayAccess(merchant: change.merchant) else { continue }
                    try await writer.write(ByteBuffer(string: Self.event(change)))
                    quietSince = ContinuousClock.now
                }
                if changes.count == 200 { continue }
                if ContinuousClock.now - quietSince >= heartbeat {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quietSince = ContinuousClock.now
                }
                try? await gracefulShutdownAwareSleep(pollInterval)
            }
            try await writer.finish(nil)
        })
    }

    /// One `status` event: id = the log id, data = the move as JSON.
    static func event(_ change: StatusChange) -> String {
        let data: JSONOut = [
            "id": .int(Int(change.id)),
            "filingId": .string(change.filingID),
            "orderNo": .string(change.orderNo),
            "merchant": .optional(change.merchant),
            "kind": .string(change.kind.rawValue),
            "authority": .string(change.kind.authority.rawValue),
            "from": .optional(change.from?.rawValue),
            "to": .string(change.to.rawValue),
            "final": .bool(change.to.isTerminal(for: change.kind)),
            "returnStatus": .optional(change.returnStatus),
            "cause": .string(change.cause.rawValue),
            "at": .time(change.at),
        ]
        return "id: \(change.id)\nevent: status\ndata: \(data.serialized)\n\n"
    }

    /// Sleeps, ending early when the server shuts down gracefully.
    private func gracefulShutdownAwareSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
