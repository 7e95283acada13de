import Foundation
import Hummingbird
import Metrics
public import Prometheus
import Synchronization
import YidanCore
import YidanStore

/// `GET /metrics` in Prometheus text format.
///
/// swift-metrics is bootstrapped once per process with a Prometheus factory,
/// so every module's `Counter`/`Timer` (the dispatcher's attempts and
/// latencies, this server's requests) lands in one registry. Filing counts by
/// authority and status are read from the store at scrape time, so they are
/// right whichever process moved the filings.
public enum ServerMetrics {
    /// The registry every metric of this process is in.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        bootstrapOnce(registry)
        return registry
    }()

    private static let bootstrapped = Mutex(false)

    private static func bootstrapOnce(_ registry: PrometheusCollectorRegistry) {
        // MetricsSystem.bootstrap traps when called twice: one server per process bootstraps.
        bootstrapped.withLock { done in
            guard !done else { return }
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            done = true
        }
    }

    /// `yidan_NAME{labels}`, registered once and returned again on later calls.
    static func gauge(_ name: String, labels: [(String, String)], help: String) -> Prometheus.Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "yidan", metricName: name, unitName: "", helpText: help), labels: labels)
    }

    /// The whole scrape: filing gauges refreshed from the store, then the registry.
    static func scrape(store: any BrokerStore & AccessStore, stuckBefore: Date) async throws -> String {
        let counts = try await store.statusCountsByAuthority()
        for authority in Authority.allCases {
            for status in FilingStatus.allCases {
                let value = counts[authority]?[status] ?? 0
                gauge(
                    "filings", labels: [("authority", authority.rawValue), ("status", status.rawValue)],
                    help: "Filings by authority and status, read from the store at scrape time."
                ).set(to: Double(value))
            }
        }
        let stuck = try await store.stuckFilings(before: stuckBefore, limit: FilingQuery.maximumLimit)
        for authority in Authority.allCases {
            gauge(
                "filings_stuck", labels: [("authority", authority.rawValue)],
                help: "Filings without a final status past the deadline (capped at 1000)."
            ).set(to: Double(stuck.filter { $0.authority == authority }.count))
        }
        // Orders acknowledged with 202 and not filed yet (or refused), from the order queue.
        if let queue = OrderDesk.orderQueue(of: store) {
            let queued = try await queue.queueCounts()
            for state in QueuedOrderState.allCases {
                gauge(
                    "orders_queued", labels: [("state", state.rawValue)],
                    help: "Orders acknowledged before filing (Prefer: respond-async), by state, read from the store at scrape time."
                ).set(to: Double(queued[state] ?? 0))
            }
        }
        return registry.emitToString()
    }
}

/// Counts every request by method, route (the matched path pattern, never
/// the raw path with its order numbers) and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        _ = ServerMetrics.registry
        do {
            let response = try await next(request, context)
            record(request, context: context, status: response.status.code)
            return response
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500)
            throw error
        }
    }

    func record(_ request: Request, context: Context, status: Int) {
        Counter(label: "yidan_http_requests_total", dimensions: [
            ("method", request.method.rawValue), ("route", context.endpointPath ?? "unmatched"), ("status", String(status)),
        ]).increment()
    }
}
