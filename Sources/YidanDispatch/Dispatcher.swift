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
    let store: any FilingStore
    private let client: CurlHTTPClient
    let configuration: DispatchConfiguration
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let jitter: @Sendable () -> Double
    let logger: Logger
    private let signal = WakeSignal()
    private let stopping = Atomic<Bool>(false)
    let traffic: Mutex<AuthorityTraffic>
    /// When `idle` may next count the queue for the depth gauge.
    private let depthGaugeDue = Mutex(ContinuousClock.now)

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
        /// A claim's filings (started at once), or its failure.
        case claimed(Result<[FilingRecord], any Error>)
        /// A request got its answer (or failed); its attempt is to be recorded.
        case answered(Exchange?)
        /// An attempt's record is committed (or failed to be).
        case recorded
        case wokeUp
    }

    /// Keeps up to `maxInFlight` requests running. When nothing is due, one
    /// child task waits (next due time, `wake()`, or the poll interval) while
    /// deliveries go on; a recorded attempt re-arms that wait, since it may
    /// have scheduled a retry sooner than the wait's end.
    ///
    /// Claims, requests and records are all child tasks, so the loop never
    /// waits on one of them while the others have news. A request's place is
    /// freed when its answer arrives, not when its attempt is committed:
    /// `maxInFlight` bounds the load on the authorities, and the commit
    /// (group-committed with others) is not theirs. Holding places through
    /// claim and commit kept each ~5× longer than the request itself and left
    /// the dispatch benchmark's CPU idle. Attempts being recorded are bounded
    /// too (`maxInFlight` more), so a slow store slows claiming instead of
    /// piling up work; their filings stay `sending` under lease until
    /// recorded, so none is claimed twice.
    private func runLoop() async throws {
        await withTaskGroup(of: LoopEvent.self) { group in
            let places = configuration.maxInFlight
            var inFlight = 0
            var recording = 0
            var claiming = false
            var waiting = false
            while !Task.isCancelled {
                let stopping = isStopping
                if stopping && inFlight == 0 && recording == 0 && !claiming && !waiting { break }
                let free = min(places - inFlight, 2 * places - inFlight - recording)
                // A claim is a write transaction and a scan of the due rows:
                // while deliveries run, claim once a quarter of the places is free.
                let worthClaiming = inFlight == 0 || free >= max(1, places / 4)
                if !stopping && free > 0 && worthClaiming && !claiming && !waiting {
                    claiming = true
                    group.addTask {
                        do {
                            return .claimed(.success(try await self.claim(free: free, now: self.now())))
                        } catch {
                            return .claimed(.failure(error))
                        }
                    }
                }
                switch await group.next() {
                case .claimed(let result):
                    claiming = false
                    var storeFailed = false
                    switch result {
                    case .success(let claimed) where !claimed.isEmpty:
                        for filing in claimed {
                            group.addTask { .answered(await self.exchange(filing)) }
                        }
                        inFlight += claimed.count
                        continue
                    case .success:
                        break
                    case .failure(let error):
                        storeFailed = true
                        logger.error("claiming due filings failed", metadata: ["error": "\(error)"])
                    }
                    // Stopping: no idle wait (the shutdown's wake may already be spent).
                    guard !isStopping else { continue }
                    waiting = true
                    group.addTask {
                        await self.idle(afterStoreFailure: storeFailed)
                        return .wokeUp
                    }
                case .answered(let exchange):
                    inFlight -= 1
                    if let exchange {
                        recording += 1
                        group.addTask {
                            await self.record(exchange)
                            return .recorded
                        }
                    }
                case .recorded:
                    recording -= 1
                    if waiting { signal.wake() }
                case .wokeUp:
                    waiting = false
                case nil:
                    break
                }
            }
            // Graceful shutdown ends the loop once the requests in flight are
            // answered and recorded (the idle wait was woken by the shutdown
            // handler); cancellation leaves the group, cancelling them.
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
                // A gauge only: a failed count leaves the last value. Counting
                // scans every filing, and a busy dispatcher idles often
                // (between claims, while filings wait for their prerequisites):
                // at most once a second.
                let started = ContinuousClock.now
                let countNow = depthGaugeDue.withLock { next in
                    guard started >= next else { return false }
                    next = started + .seconds(1)
                    return true
                }
                if countNow, let counts = try? await store.statusCounts() { DispatchMetrics.queueDepth(counts[.queued] ?? 0) }
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

    // MARK: One delivery

    /// One request's answer and what to record of it.
    struct Exchange: Sendable {
        var attempt: AttemptRecord
        var outcome: DeliveryOutcome
        var decision: DeliveryDecision
        var httpStatus: Int?
        var finishedAt: Date
        var logger: Logger
    }

    /// Sends one filing and records the attempt (`drainOnce`).
    private func deliver(_ filing: FilingRecord) async {
        if let exchange = await exchange(filing) {
            await record(exchange)
        }
    }

    /// Posts one filing and decides what its answer means (delivered, retry,
    /// dead); nil when cancelled, which leaves the filing to its lease.
    private func exchange(_ filing: FilingRecord) async -> Exchange? {
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
                return nil
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
        return Exchange(attempt: record, outcome: outcome, decision: decision, httpStatus: result.httpStatus, finishedAt: finishedAt, logger: logger)
    }

    /// Records an attempt and its outcome durably, then logs it.
    private func record(_ exchange: Exchange) async {
        let logger = exchange.logger
        do {
            try await store.completeAttempt(exchange.attempt, outcome: exchange.outcome, now: exchange.finishedAt)
        } catch {
            logger.error("recording the attempt failed; the lease will return the filing", metadata: ["error": "\(error)"])
            return
        }

        let status = exchange.httpStatus.map(String.init) ?? "none"
        switch exchange.decision {
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
