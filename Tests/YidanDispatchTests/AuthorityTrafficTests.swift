import Foundation
import Testing
import YidanCore
@testable import YidanDispatch

/// The per-authority lanes (breaker, concurrency cap, token bucket) as pure values over given times.
@Suite struct AuthorityTrafficTests {
    static let t0 = Date(timeIntervalSince1970: 1_780_000_000)
    func at(_ seconds: TimeInterval) -> Date { Self.t0.addingTimeInterval(seconds) }

    @Test func aTokenBucketRefillsAtItsRateUpToItsBurst() {
        var bucket = TokenBucket(requestsPerSecond: 2, burst: 3, now: at(0))
        #expect(bucket.allowance(at: at(0)) == 3)
        var taken: [Bool] = []
        for _ in 0..<4 { taken.append(bucket.take(at: at(0))) }
        #expect(taken == [true, true, true, false])
        #expect(bucket.nextToken(after: at(0)) == at(0.5))
        #expect(bucket.allowance(at: at(0.49)) == 0)
        #expect(bucket.allowance(at: at(1)) == 2)
        #expect(bucket.allowance(at: at(60)) == 3)
    }

    @Test func anOpenBreakerHoldsOnlyItsAuthority() {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 2, coolDown: .seconds(10))
        var traffic = AuthorityTraffic(limits: [.tax: AuthorityLimits(breaker: breaker)], now: at(0))
        for _ in 0..<2 {
            _ = traffic.started(.tax, now: at(0))
        }
        #expect(traffic.finished(.tax, failed: true, now: at(1)) == nil)
        #expect(traffic.finished(.tax, failed: true, now: at(1)) == .opened(until: at(11)))
        #expect(traffic.allowances(now: at(2), free: 8) == [.customs: 8, .tax: 0, .fx: 8])
        #expect(traffic.nextChange(now: at(2)) == at(11))
        let health = traffic.health(now: at(2))
        #expect(health[.tax]?.breaker == .open && health[.tax]?.recentErrorRate == 1 && health[.tax]?.recentAttempts == 2)
        #expect(health[.customs]?.breaker == .closed && health[.customs]?.recentErrorRate == 0)
        // After the cool-down: one probe; its success closes the breaker.
        #expect(traffic.allowances(now: at(11), free: 8)[.tax] == 1)
        #expect(traffic.started(.tax, now: at(11)) == .halfOpened)
        #expect(traffic.allowances(now: at(11), free: 8)[.tax] == 0)
        #expect(traffic.health(now: at(11))[.tax]?.inFlight == 1)
        #expect(traffic.finished(.tax, failed: false, now: at(12)) == .closed)
        #expect(traffic.allowances(now: at(12), free: 8)[.tax] == 8)
    }

    @Test func concurrencyAndRateLimitsCapAnAuthoritysAllowance() {
        var traffic = AuthorityTraffic(
            limits: [.customs: AuthorityLimits(maxInFlight: 2), .fx: AuthorityLimits(requestsPerSecond: 1, burst: 2)], now: at(0)
        )
        _ = traffic.started(.customs, now: at(0))
        _ = traffic.started(.fx, now: at(0))
        _ = traffic.started(.fx, now: at(0))
        #expect(traffic.allowances(now: at(0), free: 8) == [.customs: 1, .tax: 8, .fx: 0])
        #expect(traffic.nextChange(now: at(0)) == at(1))
        #expect(traffic.allowances(now: at(1), free: 8)[.fx] == 1)
        #expect(!traffic.isUnrestricted(now: at(1), free: 8))
        #expect(AuthorityTraffic(limits: [:], now: at(0)).isUnrestricted(now: at(0), free: 8))
    }

    @Test func sharesNeverExceedTheFreePlaces() {
        #expect(Dispatcher.share(4, among: [.customs: 8, .tax: 0, .fx: 8]) == [.customs: 2, .fx: 2])
        #expect(Dispatcher.share(5, among: [.customs: 1, .tax: 8, .fx: 0]) == [.customs: 1, .tax: 4])
        #expect(Dispatcher.share(3, among: [.tax: 0]) == [:])
    }

    @Test func onlyAnAuthoritysOwnTroubleCountsAsAFailure() {
        #expect(AuthorityTraffic.isAuthorityFailure(.response(status: 503)))
        #expect(AuthorityTraffic.isAuthorityFailure(.response(status: 429)))
        #expect(AuthorityTraffic.isAuthorityFailure(.transport(.timeout, detail: "timed out")))
        #expect(!AuthorityTraffic.isAuthorityFailure(.response(status: 200)))
        #expect(!AuthorityTraffic.isAuthorityFailure(.response(status: 400)))
    }

    @Test func limitsAreReadFromTheirCommandLineText() throws {
        let (authority, limits) = try AuthorityLimits.parse("tax:in-flight=2,rate=0.5,burst=3,failures=4,cool-down=1.5")
        #expect(authority == .tax)
        #expect(limits == AuthorityLimits(
            maxInFlight: 2, requestsPerSecond: 0.5, burst: 3, breaker: .init(failureThreshold: 4, coolDown: .milliseconds(1500))
        ))
        #expect(try AuthorityLimits.parse("fx:").1 == .standard)
        for bad in ["tax", "post:rate=1", "tax:rate=0", "tax:rate=fast", "tax:speed=1"] {
            #expect(throws: YidanError.self, "\(bad)") { try AuthorityLimits.parse(bad) }
        }
    }
}
