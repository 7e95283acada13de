public import Foundation

/// Why a delivery attempt could not reach the gateway at all (no HTTP status).
public enum TransportErrorKind: String, Sendable, Hashable, CaseIterable {
    /// DNS failure, refused or unreachable: nothing was sent.
    case connectFailed = "connect-failed"
    /// The connect or total timeout passed.
    case timeout
    /// The connection broke mid-exchange (reset, empty reply, send/receive error).
    case reset
    /// TLS handshake or certificate problem.
    case tls
    case other
}

/// What one delivery attempt produced, as far as the retry policy cares:
/// an HTTP status (with the server's `Retry-After`, if any) or a transport error.
public struct DeliveryResult: Sendable, Equatable {
    public var httpStatus: Int?
    /// The server's `Retry-After`, in seconds from the response.
    public var retryAfterSeconds: Int?
    public var transportError: TransportErrorKind?
    /// Short, payload-free detail for the attempt record (e.g. libcurl's error text).
    public var detail: String?

    public init(httpStatus: Int?, retryAfterSeconds: Int? = nil, transportError: TransportErrorKind? = nil, detail: String? = nil) {
        self.httpStatus = httpStatus
        self.retryAfterSeconds = retryAfterSeconds
        self.transportError = transportError
        self.detail = detail
    }

    public static func response(status: Int, retryAfterSeconds: Int? = nil) -> DeliveryResult {
        DeliveryResult(httpStatus: status, retryAfterSeconds: retryAfterSeconds)
    }

    public static func transport(_ kind: TransportErrorKind, detail: String? = nil) -> DeliveryResult {
        DeliveryResult(httpStatus: nil, transportError: kind, detail: detail)
    }

    /// A one-line description for attempt records and logs; never holds payload bytes.
    public var summary: String {
        if let httpStatus {
            return "HTTP \(httpStatus)"
        }
        let kind = transportError ?? .other
        if let detail, !detail.isEmpty { return "transport \(kind.rawValue): \(detail)" }
        return "transport \(kind.rawValue)"
    }
}

/// What to do after an attempt. The dispatcher maps this onto the store's
/// `DeliveryOutcome` (YidanCore cannot see YidanStore).
public enum DeliveryDecision: Sendable, Equatable {
    case delivered
    case retry(at: Date, reason: String)
    case dead(reason: String)
}

/// Exponential backoff with proportional jitter, a cap, a maximum number of
/// attempts and respect for the server's `Retry-After`.
///
/// Pure: the caller passes `now` and a jitter value drawn from [0, 1), so the
/// same inputs always give the same answer (and tests need no clock).
public struct RetryPolicy: Sendable, Equatable {
    /// Delay after the first failed attempt, before jitter.
    public var baseDelay: Duration
    /// Growth per further attempt (2 doubles the delay each time).
    public var multiplier: Double
    /// Upper bound of the exponential part.
    public var maxDelay: Duration
    /// Attempts in total, the first one included. Reaching it means `dead`.
    public var maxAttempts: Int
    /// Share of the delay that jitter may take away, 0...1 (see `delay`).
    public var jitterFraction: Double
    /// The most a server's `Retry-After` may push the next attempt out.
    public var maxRetryAfter: Duration

    public init(
        baseDelay: Duration = .seconds(2), multiplier: Double = 2, maxDelay: Duration = .seconds(300),
        maxAttempts: Int = 10, jitterFraction: Double = 0.5, maxRetryAfter: Duration = .seconds(3600)
    ) {
        self.baseDelay = baseDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.maxAttempts = max(1, maxAttempts)
        self.jitterFraction = min(1, max(0, jitterFraction))
        self.maxRetryAfter = maxRetryAfter
    }

    public static let standard = RetryPolicy()

    /// The wait after failed attempt `n` (1-based).
    ///
    /// 1. Exponential: `baseDelay × multiplier^(n−1)`, capped at `maxDelay`.
    /// 2. Jitter, *subtractive and proportional*: `d × (1 − jitterFraction × unit)`
    ///    with `unit` in [0, 1). `jitterFraction` 1 is "full jitter" (anything in
    ///    (0, d]); the default 0.5 is "equal jitter" (half fixed, half random, in
    ///    (d/2, d]); 0 disables jitter. Jitter only shortens, so the cap holds.
    /// 3. A server `Retry-After` is a floor: never retry sooner than the server
    ///    asked, but never later than `maxRetryAfter` because of it.
    public func delay(afterAttempt n: Int, jitter unit: Double, retryAfterSeconds: Int? = nil) -> Duration {
        let cap = Self.seconds(maxDelay)
        let exponent = Double(max(0, n - 1))
        // pow can overflow to +inf for large n; min() with the cap absorbs it.
        let exponential = min(cap, Self.seconds(baseDelay) * pow(multiplier, exponent))
        let clampedUnit = unit.isFinite ? min(max(unit, 0), 1) : 0
        var delay = exponential * (1 - jitterFraction * clampedUnit)
        if let retryAfterSeconds, retryAfterSeconds > 0 {
            let floor = min(Double(retryAfterSeconds), Self.seconds(maxRetryAfter))
            delay = max(delay, floor)
        }
        return .milliseconds(Int64((max(0, delay) * 1000).rounded()))
    }

    /// Classifies attempt `n` (1-based, the attempt just made) and says what follows.
    ///
    /// - 2xx: delivered (the gateway answers with a DxpRep-like body; the status is what counts).
    /// - 408, 425, 429, 5xx and transport errors: retry, unless `n` reached `maxAttempts`.
    /// - Any other status (other 4xx such as an invalid envelope, 1xx, 3xx since
    ///   redirects are not followed): dead, retrying cannot help.
    public func decide(attempt n: Int, result: DeliveryResult, now: Date, jitter: Double) -> DeliveryDecision {
        let reason = result.summary
        if let status = result.httpStatus, (200...299).contains(status) {
            return .delivered
        }
        guard Self.isRetryable(result) else {
            return .dead(reason: reason)
        }
        guard n < maxAttempts else {
            return .dead(reason: "\(reason); gave up after \(n) attempts")
        }
        let wait = delay(afterAttempt: n, jitter: jitter, retryAfterSeconds: result.retryAfterSeconds)
        return .retry(at: now.addingTimeInterval(Self.seconds(wait)), reason: reason)
    }

    /// Whether another attempt could succeed where this one failed.
    public static func isRetryable(_ result: DeliveryResult) -> Bool {
        guard let status = result.httpStatus else {
            // No status at all: the exchange failed in transport.
            return true
        }
        switch status {
        case 408, 425, 429, 500...599: return true
        default: return false
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
