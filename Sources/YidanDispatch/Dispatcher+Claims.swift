import Foundation
import YidanCore
import YidanStore

extension Dispatcher {
    // MARK: Claiming within each authority's limits

    /// Claims up to `free` due filings, no more of each authority than its
    /// lane allows (breaker, concurrency cap, rate), and marks them started.
    /// With no lane holding anything back this is one plain claim.
    func claim(free: Int, now at: Date) async throws -> [FilingRecord] {
        let allowances = traffic.withLock { $0.allowances(now: at, free: free) }
        let claimed: [FilingRecord]
        if allowances.values.allSatisfy({ $0 >= free }) {
            claimed = try await store.claimDue(now: at, limit: free, lease: configuration.lease)
        } else {
            claimed = try await store.claimDue(now: at, limits: Self.share(free, among: allowances), lease: configuration.lease)
        }
        for filing in claimed {
            let authority = filing.kind.authority
            let transition = traffic.withLock { $0.started(authority, now: at) }
            if let transition { report(transition, authority) }
        }
        return claimed
    }

    /// Splits `free` places among the authorities that may take some, one at a
    /// time in turn, so the total never exceeds `free` and none is starved.
    static func share(_ free: Int, among allowances: [Authority: Int]) -> [Authority: Int] {
        var left = allowances.filter { $0.value > 0 }
        var shares: [Authority: Int] = [:]
        var remaining = free
        while remaining > 0, !left.isEmpty {
            for authority in Authority.allCases where remaining > 0 {
                guard let room = left[authority] else { continue }
                shares[authority, default: 0] += 1
                remaining -= 1
                left[authority] = room > 1 ? room - 1 : nil
            }
        }
        return shares
    }

    func report(_ transition: CircuitBreaker.Transition, _ authority: Authority) {
        switch transition {
        case .opened(let until):
            logger.warning("circuit breaker opened: holding the authority's filings", metadata: ["authority": "\(authority.rawValue)", "until": "\(until)"])
            DispatchMetrics.circuit(authority, open: true)
        case .halfOpened:
            logger.info("circuit breaker half-open: sending one probe", metadata: ["authority": "\(authority.rawValue)"])
        case .closed:
            logger.info("circuit breaker closed: the authority answers again", metadata: ["authority": "\(authority.rawValue)"])
            DispatchMetrics.circuit(authority, open: false)
        }
    }
}
