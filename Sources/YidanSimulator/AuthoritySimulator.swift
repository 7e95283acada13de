public import Foundation
public import Logging
public import ServiceLifecycle
import Hummingbird
import Synchronization
import YidanCore
import YidanDispatch

/// The built-in customs data-exchange gateway: a Hummingbird HTTP server that
/// takes `DxpMsg` envelopes, checks and applies the CEB message inside exactly
/// once, and plays out the customs receipts.
///
/// Endpoints (fixed paths):
/// - `POST /dxp/messages` — body a `DxpMsg` envelope whose `Data` holds one
///   CEB311/411/511/621 message (Base64); header `Idempotency-Key` (falls back
///   to `TransInfo/CopMsgId`). 200 with a `DxpRep` naming the guid when taken
///   (also for messages refused by customs: that refusal comes as a receipt);
///   400 with a `DxpRep` error when the envelope or message cannot be read.
///   A repeated key or guid gets the first answer again and is not re-applied.
/// - `POST /tax/filings`, `POST /fx/filings` — body a tax / FX filing itself
///   (no envelope); 200 `<Ack xmlns="urn:yidan:authority:ack:v1" guid=… status="received"/>`
///   when taken, 400 (`status="invalid"`) when unreadable; outcomes come as
///   `TaxFilingReceipt` / `FxFilingReceipt` receipts (AuthorityDesk*.swift, docs/filings.md).
/// - `GET /sim/stats` — `SimulatorStats` as JSON.
/// - `GET /sim/faults`, `POST /sim/faults` — the `FaultPlan` as JSON.
///
/// Run it as a `Service` (`run()`) in a service group, or with `start()` /
/// `stop()` from tests and `yidan demo`.
public final class AuthoritySimulator: Service, Sendable {
    public let configuration: SimulatorConfiguration
    let core: GatewayCore
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let http: CurlHTTPClient
    private let state = Mutex(LifecycleState())

    private struct LifecycleState: Sendable {
        var port: Int?
        var portListeners: [AsyncStream<Int>.Continuation] = []
        var group: ServiceGroup?
        var task: Task<Void, any Error>?
    }

    /// - Parameters:
    ///   - clock: paces receipts and answer delays (`ContinuousClock` in production).
    ///   - now: the wall clock written into receipts' `returnTime`.
    public init(
        configuration: SimulatorConfiguration,
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "yidan.simulator")
    ) throws {
        self.configuration = configuration
        self.core = try GatewayCore(schemaURL: configuration.schemaURL, gatewayDxpId: configuration.gatewayDxpId, faults: configuration.faultPlan)
        self.clock = clock
        self.now = now
        self.logger = logger
        self.http = try CurlHTTPClient()
    }

    // MARK: running

    /// Serves until graceful shutdown or cancellation; pending receipts are then dropped.
    public func run() async throws {
        let (jobs, continuation) = AsyncStream.makeStream(of: SimulatorJob.self)
        await core.attach(continuation)
        let courier = ReceiptCourier(
            core: core, clock: clock, stepDelay: configuration.stepDelay,
            matchWindowSteps: configuration.matchWindowSteps, inboxDirectory: configuration.inboxDirectory,
            callbackURL: configuration.callbackURL, callbackAttempts: configuration.callbackAttempts,
            gatewayDxpId: configuration.gatewayDxpId, http: http, now: now, logger: logger,
            taxRates: configuration.taxRates
        )
        let app = Application(
            router: SimulatorRoutes.router(core: core, clock: clock, maxRequestBytes: configuration.maxRequestBytes),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "yidan-simulator"),
            onServerRunning: { [weak self] channel in
                if let port = channel.localAddress?.port { self?.serverRunning(port: port) }
            },
            logger: logger
        )
        defer { continuation.finish() }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                defer { continuation.finish() }
                try await app.run()
            }
            for await job in jobs {
                group.addTask {
                    switch job {
                    case .customs(let customs): await courier.run(customs)
                    case .authority(let filing): await courier.run(filing)
                    }
                }
            }
            group.cancelAll()
        }
        await core.attach(nil)
    }

    private func serverRunning(port: Int) {
        let listeners = state.withLock { state in
            state.port = port
            defer { state.portListeners = [] }
            return state.portListeners
        }
        for listener in listeners {
            listener.yield(port)
            listener.finish()
        }
        logger.info("authority simulator listening", metadata: ["port": "\(port)"])
    }

    /// Starts serving in the background; returns the base URL once the port is bound
    /// (post messages to `baseURL/dxp/messages`).
    public func start() async throws -> URL {
        let (ports, listener) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        let task = Task { try await group.run() }
        state.withLock { state in
            state.portListeners.append(listener)
            state.group = group
            state.task = task
        }
        Task {
            // Unblock the wait below if the server fails before binding.
            _ = try? await task.value
            listener.finish()
        }
        if let known = state.withLock({ $0.port }) { listener.yield(known) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw YidanError(.configuration, "the authority simulator stopped before listening")
        }
        guard let url = URL(string: "http://\(configuration.host):\(port)") else {
            throw YidanError(.configuration, "no URL for host \(configuration.host)")
        }
        return url
    }

    /// Stops a simulator started with `start()` and waits until it has shut down.
    public func stop() async {
        let (group, task) = state.withLock { state in
            defer { state.group = nil; state.task = nil; state.port = nil }
            return (state.group, state.task)
        }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    /// The base URL while serving.
    public var baseURL: URL? {
        state.withLock { $0.port }.flatMap { URL(string: "http://\(configuration.host):\($0)") }
    }

    // MARK: inspection and control

    public func stats() async -> SimulatorStats { await core.currentStats() }

    /// How many times a message sent under this key was applied (0 or 1 when all is well).
    public func appliedCount(forIdempotencyKey key: String) async -> Int {
        await core.appliedCount(forIdempotencyKey: key)
    }

    /// Guids of applied messages in the order they were applied.
    public func appliedMessageGuids() async -> [String] { await core.currentStats().appliedMessageGuids }

    /// Every receipt sent so far, in delivery order.
    public func sentReceipts() async -> [SentReceipt] { await core.sentReceipts() }

    /// The returnStatus values sent for one message, in delivery order.
    public func returnStatuses(forMessageGuid guid: String) async -> [String] {
        await core.sentReceipts().filter { $0.messageGuid == guid }.map(\.returnStatus)
    }

    public func faultPlan() async -> FaultPlan { await core.faultPlan() }

    public func setFaultPlan(_ plan: FaultPlan) async { await core.setFaultPlan(plan) }

    /// Returns once every receipt scheduled so far has been delivered: the
    /// synchronisation point for tests (no sleeping).
    public func waitUntilIdle() async { await core.waitUntilIdle() }
}
