public import Foundation
import YidanCore

/// An HTTP client on libcurl's multi interface: many transfers in flight on
/// one dedicated thread, connections kept alive and reused, no redirects.
///
/// ```swift
/// let client = try CurlHTTPClient()
/// let response = try await client.post(url: gateway, body: envelope, headers: [("Content-Type", "application/xml")])
/// await client.shutdown()
/// ```
///
/// Failures below HTTP (refused, timed out, reset, TLS) throw `YidanError`
/// with code `.transport` whose `cause` is a `TransportFailure` naming the
/// kind; `TransportFailure.from(_:)` digs it out. A cancelled task cancels
/// its transfer and throws `CancellationError`.
public final class CurlHTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Time allowed to establish the connection (TCP and TLS).
        public var connectTimeout: Duration
        /// Time allowed for the whole exchange, connection included.
        public var timeout: Duration
        /// A larger response body fails the transfer (kind `.other`).
        public var maxResponseBytes: Int
        /// Parallel connections to one host; 0 means no limit.
        public var maxConnectionsPerHost: Int
        /// Idle connections libcurl keeps open for reuse.
        public var connectionCacheSize: Int
        public var userAgent: String

        public init(
            connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(30),
            maxResponseBytes: Int = 8 << 20, maxConnectionsPerHost: Int = 0,
            connectionCacheSize: Int = 32, userAgent: String = "yidan/0.1 libcurl"
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.connectionCacheSize = connectionCacheSize
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let loop: CurlMultiLoop

    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        self.loop = try CurlMultiLoop(configuration: configuration)
    }

    deinit {
        // Without an explicit shutdown the loop thread would poll forever.
        loop.requestShutdown()
    }

    /// POSTs `body` to `url` and returns the whole response, whatever its status.
    public func post(url: String, body: Data, headers: [(String, String)]) async throws -> HTTPClientResponse {
        let transfer = try CurlTransfer(id: loop.makeID(), url: url, body: body, headers: headers, configuration: configuration)
        let loop = self.loop
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    loop.submit(transfer, continuation: continuation)
                }
            } onCancel: {
                loop.cancel(id: transfer.id)
            }
        } catch let failure as TransportFailure {
            throw YidanError(.transport, failure.description, cause: failure)
        }
    }

    /// Fails queued and running transfers, closes all connections and stops
    /// the thread. Further posts fail with `.transport`.
    public func shutdown() async {
        await loop.shutdown()
    }
}

extension TransportFailure {
    /// The transport failure inside an error thrown by `CurlHTTPClient.post`, if it is one.
    public static func from(_ error: any Error) -> TransportFailure? {
        if let failure = error as? TransportFailure { return failure }
        if let wrapped = error as? YidanError, let failure = wrapped.cause as? TransportFailure { return failure }
        return nil
    }
}
