import Foundation
import Testing
import YidanCore

/// Every transition of the breaker, with the time passed in (no clock read anywhere).
@Suite struct CircuitBreakerTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    static let configuration = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .seconds(30))

    func at(_ seconds: TimeInterval) -> Date { Self.t0.addingTimeInterval(seconds) }

    @Test func closedCountsFailuresInARowAndASuccessResetsThem() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        #expect(breaker.admit(now: at(0)).0 == .allowed)
        #expect(breaker.recordFailure(now: at(1)) == nil)
        #expect(breaker.recordFailure(now: at(2)) == nil)
        #expect(breaker.consecutiveFailures == 2)
        #expect(breaker.recordSuccess(now: at(3)) == nil)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.recordFailure(now: at(4)) == nil)
        #expect(!breaker.isOpen)
    }

    @Test func theThresholdOpensItAndItHoldsUntilTheCoolDownEnds() {
        var breaker = CircuitBreaker(configuration: Self.configuration)
        _ = breaker.recordFailure(now: at(0))
        _ = breaker.recordFailure(now: at(1))
        #expect(breaker.recordFailure(now: at(2)) == .opened(until: at(32)))
        #expect(breaker.state == .open(since: at(2), until: at(32)))
        #expect(breaker.isOpen && breaker.openUntil == at(32))
        #expect(breaker.admit(now: at(10)).0 == .held(retryAt: at(32)))
        #expect(breaker.peek(now: at(31.9)) == .held(retryAt: at(32)))
        // Late answers to requests sent before it opened change nothing.
        #expect(breaker.recordFailure(now: at(11)) == nil)
        #expect(breaker.recordSuccess(now: at(12)) == nil)
        #expect(breaker.state == .open(since: at(2), until: at(32)))
    }

    @Test func afterTheCoolDownOneProbeGoesAndASuccessCloses() {
        var breaker = Self.opened(at: at(0))
        #expect(breaker.peek(now: at(30)) == .probe)
        let (admission, transition) = breaker.admit(now: at(30))
        #expect(admission == .probe && transition == .halfOpened)
        #expect(breaker.state == .halfOpen(probeInFlight: true))
        // Only one probe at a time.
        #expect(breaker.admit(now: at(31)).0 == .held(retryAt: nil))
        #expect(breaker.recordSuccess(now: at(32)) == .closed)
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(breaker.admit(now: at(33)).0 == .allowed)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        var breaker = Self.opened(at: at(0))
        _ = breaker.admit(now: at(40))
        #expect(breaker.recordFailure(now: at(41)) == .opened(until: at(71)))
        #expect(breaker.admit(now: at(50)).0 == .held(retryAt: at(71)))
        #expect(breaker.consecutiveFailures == 3)
    }

    @Test func aThresholdBelowOneMeansOne() {
        var breaker = CircuitBreaker(configuration: .init(failureThreshold: 0, coolDown: .milliseconds(500)))
        #expect(breaker.recordFailure(now: at(0)) == .opened(until: at(0.5)))
    }

    static func opened(at time: Date) -> CircuitBreaker {
        var breaker = CircuitBreaker(configuration: configuration)
        for _ in 0..<3 { _ = breaker.recordFailure(now: time) }
        return breaker
    }
}
