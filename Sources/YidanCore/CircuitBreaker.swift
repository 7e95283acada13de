public import Foundation

/// One authority's circuit breaker, as a pure state machine: it never reads
/// a clock (every call is given `now`) and never sends anything; it answers
/// with what the caller should do (`Admission`) and what changed (`Transition`).
///
/// - closed: everything may be sent; `failureThreshold` failures in a row open it.
/// - open: nothing is sent until `coolDown` has passed since it opened.
/// - half-open: after the cool-down one probe may be sent; its success closes
///   the breaker, its failure opens it again for another cool-down.
///
/// What counts as a failure is the caller's business (the dispatcher counts
/// transport errors and 408/425/429/5xx answers: the authority being down,
/// not a message it refused).
public struct CircuitBreaker: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        /// Consecutive failures that open a closed breaker (at least 1).
        public var failureThreshold: Int
        /// How long an open breaker stays open before it lets a probe through.
        public var coolDown: Duration

        public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
            self.failureThreshold = max(1, failureThreshold)
            self.coolDown = coolDown
        }

        public static let standard = Configuration()
    }

    public enum State: Sendable, Equatable {
        case closed(consecutiveFailures: Int)
        case open(since: Date, until: Date)
        /// Cool-down over; `probeInFlight` while the one probe is out.
        case halfOpen(probeInFlight: Bool)
    }

    /// Whether one more request may be sent now.
    public enum Admission: Sendable, Equatable {
        /// Closed: send.
        case allowed
        /// Half-open: send this one request as the probe; hold the rest.
        case probe
        /// Hold it; ask again at `retryAt` (nil while a probe is out: ask after its outcome).
        case held(retryAt: Date?)
    }

    /// A change of state the caller may want to log or count.
    public enum Transition: Sendable, Equatable {
        case opened(until: Date)
        case halfOpened
        case closed
    }

    public let configuration: Configuration
    public private(set) var state: State

    public init(configuration: Configuration = .standard) {
        self.configuration = configuration
        self.state = .closed(consecutiveFailures: 0)
    }

    /// Failures in a row so far (the threshold's count while closed; at least
    /// the threshold while open or half-open).
    public var consecutiveFailures: Int {
        switch state {
        case .closed(let failures): failures
        case .open, .halfOpen: configuration.failureThreshold
        }
    }

    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }

    /// What the caller may do at `now`, without changing anything: an open
    /// breaker whose cool-down is over reads as `.probe` (`admit` makes it so).
    public func peek(now: Date) -> Admission {
        switch state {
        case .closed: .allowed
        case .open(_, let until): now >= until ? .probe : .held(retryAt: until)
        case .halfOpen(let probeInFlight): probeInFlight ? .held(retryAt: nil) : .probe
        }
    }

    /// Asks to send one request at `now`. A `.probe` answer marks the probe as
    /// out, so a second `admit` holds until `recordSuccess`/`recordFailure`.
    public mutating func admit(now: Date) -> (Admission, Transition?) {
        let admission = peek(now: now)
        guard admission == .probe else { return (admission, nil) }
        let transition: Transition? = if case .open = state { .halfOpened } else { nil }
        state = .halfOpen(probeInFlight: true)
        return (.probe, transition)
    }

    /// A request sent at `admit` succeeded (the authority answered).
    public mutating func recordSuccess(now: Date) -> Transition? {
        switch state {
        case .closed:
            state = .closed(consecutiveFailures: 0)
            return nil
        case .halfOpen:
            state = .closed(consecutiveFailures: 0)
            return .closed
        case .open:
            // A request admitted before the breaker opened came back well: the
            // breaker stays open until its own probe says otherwise.
            return nil
        }
    }

    /// A request failed because the authority did not answer properly.
    public mutating func recordFailure(now: Date) -> Transition? {
        switch state {
        case .closed(let failures):
            let count = failures + 1
            guard count >= configuration.failureThreshold else {
                state = .closed(consecutiveFailures: count)
                return nil
            }
            return open(now: now)
        case .halfOpen:
            return open(now: now)
        case .open:
            return nil  // a late answer to a request sent before it opened
        }
    }

    /// When a held caller should ask again (nil when not open).
    public var openUntil: Date? {
        if case .open(_, let until) = state { return until }
        return nil
    }

    private mutating func open(now: Date) -> Transition {
        let until = now.addingTimeInterval(Self.seconds(configuration.coolDown))
        state = .open(since: now, until: until)
        return .opened(until: until)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
