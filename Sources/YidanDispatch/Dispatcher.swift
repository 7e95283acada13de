public import Foundation
public import Logging
public import ServiceLifecycle
public import YidanStore
import Synchronization
public import YidanCore
import YidanMapping

/// Drains the durable outbox: claims due filings, POSTs each to its
/// authority (customs messages in a `DxpMsg` envelope to the gateway, tax and
/// FX filings as their XML to their own endpoints) and records the attempt
/// and its outcome.
///
/// The store is the queue: a filing is claimed with a lease (status `sending`)
/// and completed in one transaction with its attempt record, so a crash
/// between the two only means the lease runs out and the filing is sent
/// again — with the same `Idempotency-Key`, which the gateway deduplicates by.
///
/// Each authority has its own lane (`AuthorityTraffic`): a circuit breaker,
/// an optional concurrency cap and request rate. While one authority's
/// breaker is open its filings stay queued and the others keep flowing.
///
/// As a `Service` it runs until graceful shutdown (stops claiming, lets the
/// requests in flight finish) or cancellation (abandons them; their leases
/// return them to the queue).
public final class Dispatcher: Service, Sendable {
    private let store: any FilingStore
    private let client: CurlHTTPClient
    private let configuration: DispatchConfiguration
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> Double
    private let logger: Logger
    private let signal = WakeSignal()
    private let stopping = Atomic<Bool>(false)
    private let traffic: Mutex<AuthorityTraffic>

    /// - Parameters:
    ///   - clock: what idle waits sleep on.
    ///   - now: the time written to the store and given to the retry policy.
    ///   - jitter: a value in [0, 1) per retry decision.
    public init(
        store: any FilingStore, client: CurlHTTPClient, configuration: DispatchConfiguration,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "yidan.dispatch")
    ) {
        self.store = store
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.now = now
        self.jitter = jitter
        self.logger = logger
        self.traffic = Mutex(AuthorityTraffic(limits: configuration.authorityLimits, now: now()))
        if configuration.lease <= client.configuration.timeout {
            logger.warning("dispatch lease is not longer than the HTTP timeout; filings may be sent twice")
        }
    }

    /// A new filing is in the outbox: stop idling and claim now.
    public func wake() {
        signal.wake()
    }

    /// Each authority's breaker state, recent error rate and deliveries in flight, now.
    public func authorityHealth() -> [Authority: AuthorityHealth] {
        let at = now()
        return traffic.withLock { $0.health(now: at) }
    }

    public func run() async throws {
        for authority in Authority.allCases { DispatchMetrics.circuit(authority, open: false) }
        logger.info("dispatcher started", metadata: ["gateway": "\(configuration.gatewayURL)", "tax": "\(configuration.endpoint(for: .tax) ?? "none")", "fx": "\(configuration.endpoint(for: .fx) ?? "none")", "maxInFlight": "\(configuration.maxInFlight)"])
        try await withGracefulShutdownHandler {
            try await self.runLoop()
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
            self.signal.wake()
        }
        logger.info("dispatcher stopped")
    }

    /// Claims and delivers everything due now, then returns how many attempts it made.
    /// Filings that become due again during the call (retries) wait for the next call.
    public func drainOnce() async throws -> Int {
        let cutoff = now()
        var attempts = 0
        while true {
            let claimed = try await claim(free: configuration.maxInFlight, now: cutoff)
            guard !claimed.isEmpty else { return attempts }
            await withTaskGroup(of: Void.self) { group in
                for filing in claimed {
                    group.addTask { await self.deliver(filing) }
                }
            }
            attempts += claimed.count
            try Task.checkCancellation()
        }
    }

    // MARK: The loop

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    private enum LoopEvent: Sendable {
        case deliveryFinished
        case wokeUp
    }

    /// Keeps up to `maxInFlight` deliveries running. When nothing is due, one
    /// child task waits (next due time, `wake()`, or the poll interval) while
    /// deliveries go on; a finished delivery re-arms that wait, since it may
    /// have scheduled a retry sooner than the wait's end.
    private func runLoop() async throws {
        await withTaskGroup(of: LoopEvent.self) { group in
            var inFlight = 0
            var waiting = false
            while !isStopping && !Task.isCancelled {
                var storeFailed = false
                let free = configuration.maxInFlight - inFlight
                // A claim is a write transaction and a scan of the due rows:
                // while deliveries run, claim once a quarter of the places is free.
                let worthClaiming = inFlight == 0 || free >= max(1, configuration.maxInFlight / 4)
                if free > 0 && worthClaiming && !waiting {
                    do {
                        let claimed = try await claim(free: free, now: now())
                        for filing in claimed {
                            group.addTask {
                                await self.deliver(filing)
                                return .deliveryFinished
                            }
                        }
                        inFlight += claimed.count
                        if !claimed.isEmpty { continue }
                    } catch {
                        storeFailed = true
                        logger.error("claiming due filings failed", metadata: ["error": "\(error)"])
                    }
                    waiting = true
                    group.addTask { [storeFailed] in
                        await self.idle(afterStoreFailure: storeFailed)
                        return .wokeUp
                    }
                }
                switch await group.next() {
                case .deliveryFinished:
                    inFlight -= 1
                    if waiting { signal.wake() }
                case .wokeUp:
                    waiting = false
                case nil:
                    break
                }
            }
            // Graceful shutdown: no new claims; leaving the group waits for the
            // requests in flight (the idle wait was woken by the shutdown handler).
        }
    }

    /// Sleeps until the next filing is due, a wake, or the poll interval.
    private func idle(afterStoreFailure storeFailed: Bool) async {
        var wait = configuration.pollInterval
        let at = now()
        let (allowances, change) = traffic.withLock { ($0.allowances(now: at, free: 1), $0.nextChange(now: at)) }
        if let change {
            // A breaker's cool-down ending or a token arriving may free held filings.
            wait = min(wait, .milliseconds(Int64(max(0.05, change.timeIntervalSince(at)) * 1000)))
        }
        if !storeFailed {
            do {
                // A gauge only: a failed count leaves the last value.
                if let counts = try? await store.statusCounts() { DispatchMetrics.queueDepth(counts[.queued] ?? 0) }
                let open = Set(allowances.filter { $0.value > 0 }.keys)
                let due = open.count == Authority.allCases.count ? try await store.nextDueTime() : try await store.nextDueTime(authorities: open)
                if let due {
                    let seconds = due.timeIntervalSince(now())
                    // Never spin: a due time already passed gets a short recheck.
                    let untilDue = Duration.milliseconds(Int64(max(0.05, seconds) * 1000))
                    wait = min(wait, untilDue)
                }
            } catch {
                logger.error("reading the next due time failed", metadata: ["error": "\(error)"])
            }
        }
        await signal.wait(upTo: wait, clock: clock)
    }

    // MARK: Claiming within each authority's limits

    /// Claims up to `free` due filings, no more of each authority than its
    /// lane allows (breaker, concurrency cap, rate), and marks them started.
    /// With no lane holding anything back this is one plain claim.
    private func claim(free: Int, now at: Date) async throws -> [FilingRecord] {
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

    private func report(_ transition: CircuitBreaker.Transition, _ authority: Authority) {
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

    // MARK: One delivery

    private func deliver(_ filing: FilingRecord) async {
        let attempt = filing.attempts + 1
        var logger = self.logger
        logger[metadataKey: "filing"] = "\(filing.id)"
        logger[metadataKey: "kind"] = "\(filing.kind.rawValue)"
        logger[metadataKey: "attempt"] = "\(attempt)"

        let startedAt = now()
        let started = ContinuousClock.now
        let result: DeliveryResult
        var latency: Duration = .zero
        var requestDigest: String?
        if let request = request(for: filing) {
            // The audit trail keeps the digest of the exact bytes posted.
            requestDigest = AuditEntry.digest(request.body)
            do {
                let response = try await client.post(url: request.url, body: request.body, headers: request.headers)
                result = response.deliveryResult(now: now())
                latency = response.latency
            } catch is CancellationError {
                logger.debug("delivery cancelled; the lease returns the filing to the queue")
                traffic.withLock { $0.abandoned(filing.kind.authority) }
                return
            } catch {
                latency = ContinuousClock.now - started
                if let failure = TransportFailure.from(error) {
                    result = failure.deliveryResult
                } else {
                    // A YidanError's description is safe to keep; anything else is summarised.
                    result = .transport(.other, detail: (error as? YidanError)?.description ?? "request failed")
                }
            }
        } else {
            // Configuration, not the network: retrying cannot help (see `decision` below).
            result = .transport(.other, detail: "no endpoint configured for the \(filing.kind.authority.rawValue) authority")
        }

        let finishedAt = now()
        let authority = filing.kind.authority
        // A missing endpoint is our configuration, not the authority's health.
        let failed = configuration.endpoint(for: authority) != nil && AuthorityTraffic.isAuthorityFailure(result)
        if let transition = traffic.withLock({ $0.finished(authority, failed: failed, now: finishedAt) }) {
            report(transition, authority)
        }
        DispatchMetrics.latency(authority, latency)
        let decision = configuration.endpoint(for: filing.kind.authority) == nil
            ? .dead(reason: result.summary)
            : configuration.retryPolicy.decide(attempt: attempt, result: result, now: finishedAt, jitter: jitter())
        let outcome: DeliveryOutcome
        let errorText: String?
        switch decision {
        case .delivered:
            outcome = .delivered
            errorText = nil
            DispatchMetrics.attempt(authority, outcome: "delivered")
        case .retry(let at, let reason):
            outcome = .retry(at: at, error: reason)
            errorText = reason
            DispatchMetrics.attempt(authority, outcome: "retry")
        case .dead(let reason):
            outcome = .dead(error: reason)
            errorText = reason
            DispatchMetrics.attempt(authority, outcome: "dead")
        }
        let record = AttemptRecord(
            filingID: filing.id, number: attempt, startedAt: startedAt, httpStatus: result.httpStatus,
            latencyMilliseconds: Self.milliseconds(latency), error: errorText, requestDigest: requestDigest
        )
        do {
            try await store.completeAttempt(record, outcome: outcome, now: finishedAt)
        } catch {
            logger.error("recording the attempt failed; the lease will return the filing", metadata: ["error": "\(error)"])
            return
        }

        let status = result.httpStatus.map(String.init) ?? "none"
        switch decision {
        case .delivered:
            logger.info("filing delivered", metadata: ["status": "\(status)"])
        case .retry(let at, let reason):
            logger.warning("delivery failed, will retry", metadata: ["status": "\(status)", "reason": "\(reason)", "next": "\(at)"])
        case .dead(let reason):
            logger.error("delivery failed for good", metadata: ["status": "\(status)", "reason": "\(reason)"])
        }
    }

    /// What to post for a filing: customs messages travel in a DxpMsg envelope
    /// to the gateway; tax and FX filings are posted as their own XML to their
    /// authority's endpoint. Both carry the filing's `Idempotency-Key`.
    func request(for filing: FilingRecord) -> (url: String, body: Data, headers: [(String, String)])? {
        guard let url = configuration.endpoint(for: filing.kind.authority) else { return nil }
        switch filing.kind.authority {
        case .customs:
            // CreatTime is the filing's creation time, so every retry sends the same bytes.
            let envelope = DxpEnvelope(
                copMsgId: filing.id,
                senderId: configuration.senderId,
                receiverIds: configuration.receiverIds,
                createTime: ZonedDateTime(instant: filing.createdAt, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds),
                msgType: filing.kind.rootElement,
                data: filing.payload
            )
            return (url, envelope.xml(), [
                ("Content-Type", "application/xml; charset=utf-8"),
                ("Idempotency-Key", filing.idempotencyKey),
            ])
        case .tax, .fx:
            return (url, filing.payload, [
                ("Content-Type", "application/xml"),
                ("Idempotency-Key", filing.idempotencyKey),
            ])
        }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
