public import Foundation
public import YidanCore
import CCurl

/// A complete HTTP response as `CurlHTTPClient` received it.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// In the order received; names as sent (compare them case-insensitively).
    public var headers: [(name: String, value: String)]
    public var body: Data
    /// libcurl's total time for the transfer (name lookup, connect, send, receive).
    public var latency: Duration
    /// Connections libcurl had to open for this transfer: 0 means a kept-alive one was reused.
    public var newConnections: Int
    /// Our side's port of the connection used, for seeing which connection served a request.
    public var localPort: Int

    public init(status: Int, headers: [(name: String, value: String)], body: Data, latency: Duration, newConnections: Int, localPort: Int) {
        self.status = status
        self.headers = headers
        self.body = body
        self.latency = latency
        self.newConnections = newConnections
        self.localPort = localPort
    }

    /// The first header of that name (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// `Retry-After` in seconds from `now`: delta-seconds or an HTTP-date
    /// (IMF-fixdate, RFC 9110 §10.2.3). Nil when absent or unreadable.
    public func retryAfterSeconds(now: Date) -> Int? {
        guard let value = header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? seconds : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, Int(date.timeIntervalSince(now).rounded(.up)))
    }

    /// What the retry policy needs to know about this response.
    public func deliveryResult(now: Date) -> DeliveryResult {
        .response(status: status, retryAfterSeconds: retryAfterSeconds(now: now))
    }
}

/// The exchange failed below HTTP: no status was received.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var kind: TransportErrorKind
    /// libcurl's CURLcode, for diagnosis.
    public var curlCode: Int
    /// libcurl's error text (names hosts and ports, never request or response bytes).
    public var detail: String

    public init(kind: TransportErrorKind, curlCode: Int, detail: String) {
        self.kind = kind
        self.curlCode = curlCode
        self.detail = detail
    }

    public var description: String { "transport \(kind.rawValue) (curl \(curlCode)): \(detail)" }

    /// The policy's view of it.
    public var deliveryResult: DeliveryResult { .transport(kind, detail: detail) }

    static func kind(of code: CURLcode) -> TransportErrorKind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .reset
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_SHUTDOWN_FAILED,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls
        default:
            return .other
        }
    }
}
