import CoreMetrics
import YidanCore

/// The dispatcher's swift-metrics values. The server bootstraps a backend
/// (Prometheus for `GET /metrics`); without one every call is a no-op.
///
/// - `yidan_filing_attempts_total{authority,outcome}`: delivery attempts by
///   what the retry policy made of them (`delivered`, `retry`, `dead`).
/// - `yidan_delivery_latency{authority}`: time from request to answer (or error).
/// - `yidan_circuit_open{authority}`: 1 while the authority's breaker is open or half-open.
/// - `yidan_queue_depth`: filings waiting in the outbox (`queued`), sampled when the dispatcher idles.
enum DispatchMetrics {
    static func attempt(_ authority: Authority, outcome: String) {
        Counter(label: "yidan_filing_attempts_total", dimensions: [("authority", authority.rawValue), ("outcome", outcome)]).increment()
    }

    static func latency(_ authority: Authority, _ duration: Duration) {
        let parts = duration.components
        let nanoseconds = parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
        CoreMetrics.Timer(label: "yidan_delivery_latency", dimensions: [("authority", authority.rawValue)]).recordNanoseconds(nanoseconds)
    }

    static func circuit(_ authority: Authority, open: Bool) {
        Gauge(label: "yidan_circuit_open", dimensions: [("authority", authority.rawValue)]).record(open ? 1 : 0)
    }

    static func queueDepth(_ count: Int) {
        Gauge(label: "yidan_queue_depth").record(count)
    }
}
