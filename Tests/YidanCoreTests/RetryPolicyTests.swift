import Foundation
import Testing
@testable import YidanCore

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let policy = RetryPolicy(
        baseDelay: .seconds(2), multiplier: 2, maxDelay: .seconds(60),
        maxAttempts: 5, jitterFraction: 0.5, maxRetryAfter: .seconds(600)
    )
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("exponential growth without jitter")
    func exponentialNoJitter() {
        #expect(policy.delay(afterAttempt: 1, jitter: 0) == .seconds(2))
        #expect(policy.delay(afterAttempt: 2, jitter: 0) == .seconds(4))
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == .seconds(8))
        #expect(policy.delay(afterAttempt: 5, jitter: 0) == .seconds(32))
    }

    @Test("the cap holds for large attempt numbers, even where pow overflows")
    func capped() {
        #expect(policy.delay(afterAttempt: 6, jitter: 0) == .seconds(60))
        #expect(policy.delay(afterAttempt: 100, jitter: 0) == .seconds(60))
        #expect(policy.delay(afterAttempt: 5000, jitter: 0) == .seconds(60))
    }

    @Test("equal jitter keeps at least half the delay and never exceeds it")
    func equalJitter() {
        #expect(policy.delay(afterAttempt: 3, jitter: 0.5) == .seconds(6))
        #expect(policy.delay(afterAttempt: 3, jitter: 0.999) > .seconds(4))
        for unit in stride(from: 0.0, to: 1.0, by: 0.05) {
            let d = policy.delay(afterAttempt: 10, jitter: unit)
            #expect(d <= .seconds(60))
            #expect(d > .seconds(30))
        }
    }

    @Test("full jitter can take almost all of the delay; zero fraction takes none")
    func fullAndNoJitter() {
        var full = policy
        full.jitterFraction = 1
        #expect(full.delay(afterAttempt: 2, jitter: 0.75) == .seconds(1))
        var none = policy
        none.jitterFraction = 0
        #expect(none.delay(afterAttempt: 2, jitter: 0.75) == .seconds(4))
    }

    @Test("out-of-range jitter values are clamped")
    func clampedJitter() {
        #expect(policy.delay(afterAttempt: 1, jitter: -3) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, jitter: 7) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, jitter: .nan) == .seconds(2))
    }

    @Test("Retry-After is a floor, limited by maxRetryAfter")
    func retryAfter() {
        #expect(policy.delay(afterAttempt: 1, jitter: 0, retryAfterSeconds: 30) == .seconds(30))
        // Smaller than the backoff: backoff wins.
        #expect(policy.delay(afterAttempt: 5, jitter: 0, retryAfterSeconds: 3) == .seconds(32))
        // Absurdly large: held to maxRetryAfter, which may exceed maxDelay.
        #expect(policy.delay(afterAttempt: 1, jitter: 0, retryAfterSeconds: 86_400) == .seconds(600))
        #expect(policy.delay(afterAttempt: 1, jitter: 0, retryAfterSeconds: 0) == .seconds(2))
    }

    @Test("2xx is delivered", arguments: [200, 201, 202, 204, 299])
    func delivered(status: Int) {
        #expect(policy.decide(attempt: 1, result: .response(status: status), now: now, jitter: 0.3) == .delivered)
        // Even on the last allowed attempt.
        #expect(policy.decide(attempt: 5, result: .response(status: status), now: now, jitter: 0.3) == .delivered)
    }

    @Test("retryable statuses schedule the next attempt", arguments: [408, 425, 429, 500, 502, 503, 504, 599])
    func retryable(status: Int) {
        let decision = policy.decide(attempt: 2, result: .response(status: status), now: now, jitter: 0)
        #expect(decision == .retry(at: now.addingTimeInterval(4), reason: "HTTP \(status)"))
    }

    @Test("permanent statuses are dead at once", arguments: [400, 401, 403, 404, 405, 409, 413, 415, 422, 100, 301, 302, 304])
    func permanent(status: Int) {
        let decision = policy.decide(attempt: 1, result: .response(status: status), now: now, jitter: 0)
        #expect(decision == .dead(reason: "HTTP \(status)"))
    }

    @Test("transport errors are retried", arguments: TransportErrorKind.allCases)
    func transport(kind: TransportErrorKind) {
        let decision = policy.decide(attempt: 1, result: .transport(kind, detail: "x"), now: now, jitter: 0)
        #expect(decision == .retry(at: now.addingTimeInterval(2), reason: "transport \(kind.rawValue): x"))
    }

    @Test("503 with Retry-After waits at least that long")
    func serviceUnavailableRetryAfter() {
        let decision = policy.decide(attempt: 1, result: .response(status: 503, retryAfterSeconds: 120), now: now, jitter: 0.9)
        #expect(decision == .retry(at: now.addingTimeInterval(120), reason: "HTTP 503"))
    }

    @Test("reaching maxAttempts is dead with the last error")
    func exhausted() {
        let decision = policy.decide(attempt: 5, result: .response(status: 503), now: now, jitter: 0)
        #expect(decision == .dead(reason: "HTTP 503; gave up after 5 attempts"))
        let beyond = policy.decide(attempt: 9, result: .transport(.timeout), now: now, jitter: 0)
        #expect(beyond == .dead(reason: "transport timeout; gave up after 9 attempts"))
        let last = policy.decide(attempt: 4, result: .transport(.reset), now: now, jitter: 0)
        #expect(last == .retry(at: now.addingTimeInterval(16), reason: "transport reset"))
    }

    @Test("a missing status without an error kind counts as a transport failure")
    func noStatus() {
        #expect(policy.decide(attempt: 1, result: DeliveryResult(httpStatus: nil), now: now, jitter: 0)
            == .retry(at: now.addingTimeInterval(2), reason: "transport other"))
    }

    @Test("the initializer keeps values in range")
    func sanitised() {
        let odd = RetryPolicy(multiplier: 0.2, maxAttempts: 0, jitterFraction: 4)
        #expect(odd.multiplier == 1)
        #expect(odd.maxAttempts == 1)
        #expect(odd.jitterFraction == 1)
    }
}
