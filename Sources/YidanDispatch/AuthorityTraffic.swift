public import Foundation
public import YidanCore

/// How much traffic one authority takes: its own concurrency cap, request
/// rate and circuit breaker. Configured per authority (`DispatchConfiguration.authorityLimits`).
public struct AuthorityLimits: Sendable, Equatable {
    /// Most deliveries to this authority at once; nil for only the dispatcher's `maxInFlight`.
    public var maxInFlight: Int?
    /// Most requests per second (a token bucket); nil for no rate limit.
    public var requestsPerSecond: Double?
    /// Requests that may start at once after a quiet spell (the bucket's size).
    public var burst: Int
    public var breaker: CircuitBreaker.Configuration

    public init(maxInFlight: Int? = nil, requestsPerSecond: Double? = nil, burst: Int = 1, breaker: CircuitBreaker.Configuration = .standard) {
        self.maxInFlight = maxInFlight.map { max(1, $0) }
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
        self.breaker = breaker
    }

    public static let standard = AuthorityLimits()
}

/// What brokers see of one authority's delivery health (`Dispatcher.authorityHealth()`).
public struct AuthorityHealth: Sendable, Equatable {
    public enum BreakerState: String, Sendable, Equatable {
        case closed
        case open
        case halfOpen = "half-open"
    }

    public var breaker: BreakerState
    /// When an open breaker lets its next probe through.
    public var openUntil: Date?
    public var consecutiveFailures: Int
    /// Failed share (0...1) of the last `recentAttempts` attempts; 0 with none.
    public var recentErrorRate: Double
    public var recentAttempts: Int
    public var inFlight: Int

    public init(breaker: BreakerState, openUntil: Date?, consecutiveFailures: Int, recentErrorRate: Double, recentAttempts: Int, inFlight: Int) {
        self.breaker = breaker
        self.openUntil = openUntil
        self.consecutiveFailures = consecutiveFailures
        self.recentErrorRate = recentErrorRate
        self.recentAttempts = recentAttempts
        self.inFlight = inFlight
    }
}

/// Every authority's breaker, rate bucket and in-flight count, as a pure
/// value: the dispatcher keeps one behind a lock and passes the time in.
struct AuthorityTraffic: Sendable {
    /// How many outcomes the recent error rate looks at.
    static let window = 20

    struct Lane: Sendable {
        var limits: AuthorityLimits
        var breaker: CircuitBreaker
        var bucket: TokenBucket?
        var inFlight = 0
        /// The last `window` outcomes, true for a failure.
        var recent: [Bool] = []
    }

    private(set) var lanes: [Authority: Lane]

    init(limits: [Authority: AuthorityLimits], now: Date) {
        var lanes: [Authority: Lane] = [:]
        for authority in Authority.allCases {
            let own = limits[authority] ?? .standard
            lanes[authority] = Lane(
                limits: own, breaker: CircuitBreaker(configuration: own.breaker),
                bucket: own.requestsPerSecond.map { TokenBucket(requestsPerSecond: $0, burst: own.burst, now: now) }
            )
        }
        self.lanes = lanes
    }

    /// How many filings of each authority may be claimed at `now`, given
    /// `free` places left under the dispatcher's own `maxInFlight`.
    func allowances(now: Date, free: Int) -> [Authority: Int] {
        var result: [Authority: Int] = [:]
        for (authority, lane) in lanes {
            var allowed = free
            switch lane.breaker.peek(now: now) {
            case .allowed: break
            case .probe: allowed = min(allowed, 1)
            case .held: allowed = 0
            }
            if let cap = lane.limits.maxInFlight { allowed = min(allowed, cap - lane.inFlight) }
            if let bucket = lane.bucket { allowed = min(allowed, bucket.allowance(at: now)) }
            result[authority] = max(0, allowed)
        }
        return result
    }

    /// True when no authority is held back below `free` (one plain claim will do).
    func isUnrestricted(now: Date, free: Int) -> Bool {
        allowances(now: now, free: free).values.allSatisfy { $0 >= free }
    }

    /// A claimed filing of `authority` is about to be sent.
    mutating func started(_ authority: Authority, now: Date) -> CircuitBreaker.Transition? {
        guard var lane = lanes[authority] else { return nil }
        let (_, transition) = lane.breaker.admit(now: now)
        _ = lane.bucket?.take(at: now)
        lane.inFlight += 1
        lanes[authority] = lane
        return transition
    }

    /// The delivery finished; `failed` when the authority did not answer properly.
    mutating func finished(_ authority: Authority, failed: Bool, now: Date) -> CircuitBreaker.Transition? {
        guard var lane = lanes[authority] else { return nil }
        lane.inFlight = max(0, lane.inFlight - 1)
        lane.recent.append(failed)
        if lane.recent.count > Self.window { lane.recent.removeFirst(lane.recent.count - Self.window) }
        let transition = failed ? lane.breaker.recordFailure(now: now) : lane.breaker.recordSuccess(now: now)
        lanes[authority] = lane
        return transition
    }

    /// A started delivery was abandoned (cancelled at shutdown): no outcome to count.
    mutating func abandoned(_ authority: Authority) {
        guard var lane = lanes[authority] else { return }
        lane.inFlight = max(0, lane.inFlight - 1)
        lanes[authority] = lane
    }

    /// The earliest moment a held authority may become claimable again by
    /// time alone (a breaker's cool-down ending, a token arriving); nil when none waits on time.
    func nextChange(now: Date) -> Date? {
        var earliest: Date?
        for lane in lanes.values {
            var candidates: [Date] = []
            if let until = lane.breaker.openUntil, until > now { candidates.append(until) }
            if let bucket = lane.bucket, bucket.allowance(at: now) < 1 { candidates.append(bucket.nextToken(after: now)) }
            for candidate in candidates where earliest.map({ candidate < $0 }) ?? true { earliest = candidate }
        }
        return earliest
    }

    func health(now: Date) -> [Authority: AuthorityHealth] {
        lanes.mapValues { lane in
            let state: AuthorityHealth.BreakerState = switch lane.breaker.state {
            case .closed: .closed
            case .open: .open
            case .halfOpen: .halfOpen
            }
            let failures = lane.recent.filter { $0 }.count
            return AuthorityHealth(
                breaker: state, openUntil: lane.breaker.openUntil, consecutiveFailures: lane.breaker.consecutiveFailures,
                recentErrorRate: lane.recent.isEmpty ? 0 : Double(failures) / Double(lane.recent.count),
                recentAttempts: lane.recent.count, inFlight: lane.inFlight
            )
        }
    }

    /// Whether a delivery result says the authority itself is unwell (transport
    /// failure, timeout, throttling, server error), as opposed to an answer.
    static func isAuthorityFailure(_ result: DeliveryResult) -> Bool {
        guard let status = result.httpStatus else { return true }
        return [408, 425, 429].contains(status) || (500...599).contains(status)
    }
}
