import Foundation
import YidanCore
import YidanRouter

/// Each authority's delivery health as the dispatcher of this process sees
/// it (`RouterRuntime.authorityHealth()`): circuit breaker, recent error rate,
/// deliveries in flight. `GET /v1/health`, the desk and /metrics show it.
enum AuthorityHealthView {
    static func json(_ runtime: RouterRuntime) -> JSONOut {
        let health = runtime.authorityHealth()
        var out: [String: JSONOut] = [:]
        for authority in Authority.allCases {
            guard let lane = health[authority] else { continue }
            out[authority.rawValue] = [
                "breaker": .string(lane.breaker.rawValue),
                "openUntil": .time(lane.openUntil),
                "consecutiveFailures": .int(lane.consecutiveFailures),
                "recentErrorRate": .number(String(format: "%.3f", lane.recentErrorRate)),
                "recentAttempts": .int(lane.recentAttempts),
                "inFlight": .int(lane.inFlight),
            ]
        }
        return .object(out)
    }

    /// One line per authority for the server-rendered desk.
    static func text(_ runtime: RouterRuntime) -> [(authority: String, breaker: String, line: String)] {
        let health = runtime.authorityHealth()
        return Authority.allCases.compactMap { authority in
            guard let lane = health[authority] else { return nil }
            let rate = Int((lane.recentErrorRate * 100).rounded())
            return (
                authority.rawValue, lane.breaker.rawValue,
                "breaker \(lane.breaker.rawValue), \(rate)% errors in the last \(lane.recentAttempts) attempts, \(lane.inFlight) in flight"
            )
        }
    }

    /// Gauges: breaker state (0 closed, 1 half-open, 2 open), error rate, in flight.
    static func record(_ runtime: RouterRuntime) {
        for (authority, lane) in runtime.authorityHealth() {
            let labels = [("authority", authority.rawValue)]
            let state: Double = switch lane.breaker.rawValue {
            case "open": 2
            case "half-open": 1
            default: 0
            }
            ServerMetrics.gauge("authority_breaker_state", labels: labels, help: "Circuit breaker: 0 closed, 1 half-open, 2 open.").set(to: state)
            ServerMetrics.gauge("authority_error_rate", labels: labels, help: "Failed share of recent delivery attempts.").set(to: lane.recentErrorRate)
            ServerMetrics.gauge("authority_in_flight", labels: labels, help: "Deliveries in flight.").set(to: Double(lane.inFlight))
        }
    }
}
