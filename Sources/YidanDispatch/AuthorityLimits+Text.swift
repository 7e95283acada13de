import Foundation
public import YidanCore

extension AuthorityLimits {
    /// Reads one authority's limits as written on the command line
    /// (`yidan run --authority-limit`): the authority, a colon, then
    /// comma-separated settings, any of
    /// - `in-flight=N` most deliveries at once,
    /// - `rate=R` most requests per second (decimal), `burst=N` the bucket's size,
    /// - `failures=N` failures in a row that open the breaker, `cool-down=S` seconds it stays open.
    ///
    /// e.g. `tax:in-flight=2,rate=5,burst=5,failures=3,cool-down=20`. Settings
    /// not given keep `AuthorityLimits.standard`'s.
    public static func parse(_ text: String) throws -> (Authority, AuthorityLimits) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let authority = Authority(rawValue: parts[0]) else {
            throw YidanError(.configuration, "authority limit \"\(text)\": expected AUTHORITY:SETTING=VALUE,… with AUTHORITY one of \(Authority.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var limits = AuthorityLimits.standard
        var breaker = limits.breaker
        for setting in parts[1].split(separator: ",") {
            let pair = setting.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let number = Double(pair[1]), number > 0, number.isFinite else {
                throw YidanError(.configuration, "authority limit \"\(text)\": \"\(setting)\" is not SETTING=POSITIVE_NUMBER")
            }
            let whole = Int(number)
            switch pair[0] {
            case "in-flight": limits.maxInFlight = max(1, whole)
            case "rate": limits.requestsPerSecond = number
            case "burst": limits.burst = max(1, whole)
            case "failures": breaker.failureThreshold = max(1, whole)
            case "cool-down": breaker.coolDown = .milliseconds(Int64(number * 1000))
            default:
                throw YidanError(.configuration, "authority limit \"\(text)\": unknown setting \"\(pair[0])\" (in-flight, rate, burst, failures, cool-down)")
            }
        }
        limits.breaker = breaker
        return (authority, limits)
    }
}
