import Foundation
public import Hummingbird
public import Logging
import YidanCore
import YidanIngest
public import YidanReceipts

/// The HTTP side of receipt intake: authorities (and the simulator) call back
/// with `POST /v1/receipts`, body a receipt message or a DxpMsg wrapping one.
///
/// The handler only moves bytes: parsing and the status decision live in
/// `ReceiptApplier`, so the inbox folder and HTTP take exactly the same path.
public enum ReceiptListener {
    /// Largest receipt body accepted; real receipts are a few kilobytes.
    static let maxBodyBytes = 4 * 1024 * 1024

    public static func router(applier: ReceiptApplier) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.post("/v1/receipts") { request, context -> Response in
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            let bytes = Data(buffer: buffer)
            do {
                let effects = try await applier.apply(bytes: bytes, channel: "http")
                let moved = effects.filter { if case .advanced = $0 { true } else { false } }.count
                let unmatched = effects.filter { $0 == .unmatched }.count
                let body = #"{"receipts":\#(effects.count),"moved":\#(moved),"unmatched":\#(unmatched)}"#
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: body))
                )
            } catch let error as YidanError {
                context.logger.warning("receipt refused", metadata: ["error": "\(error)"])
                let body = #"{"error":"\#(error.code.rawValue)","message":\#(JSONValue.literal(error.message))}"#
                return Response(
                    status: .badRequest,
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: body))
                )
            }
        }
        return router
    }

    public static func application(applier: ReceiptApplier, host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: router(applier: applier),
            configuration: .init(address: .hostname(host, port: port), serverName: "yidan-receipts"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
