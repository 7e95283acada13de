import Foundation

/// A request-rate limit as a pure function of time: `capacity` tokens at
/// most, refilled at `rate` per second; each request takes one. The time is
/// always passed in, so tests drive it with plain dates.
struct TokenBucket: Sendable, Equatable {
    let rate: Double
    let capacity: Double
    private(set) var tokens: Double
    private(set) var updatedAt: Date

    /// Starts full at `now`.
    init(requestsPerSecond rate: Double, burst: Int, now: Date) {
        self.rate = max(rate, 0.001)
        self.capacity = Double(max(1, burst))
        self.tokens = capacity
        self.updatedAt = now
    }

    /// Tokens available at `now` (never more than `capacity`).
    func available(at now: Date) -> Double {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        return min(capacity, tokens + elapsed * rate)
    }

    /// Whole requests that may start at `now`.
    func allowance(at now: Date) -> Int {
        Int(available(at: now).rounded(.down))
    }

    /// Takes one token if there is one; false when the caller must wait.
    mutating func take(at now: Date) -> Bool {
        let current = available(at: now)
        guard current >= 1 else { return false }
        tokens = current - 1
        updatedAt = max(updatedAt, now)
        return true
    }

    /// When the next whole token is there (`now` when one already is).
    func nextToken(after now: Date) -> Date {
        let missing = 1 - available(at: now)
        guard missing > 0 else { return now }
        return now.addingTimeInterval(missing / rate)
    }
}
