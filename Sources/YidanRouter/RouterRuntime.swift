public import Foundation
public import Logging
public import ServiceLifecycle
public import YidanCore
public import YidanDispatch
public import YidanReceipts
import YidanStore
import Synchronization

/// How `yidan run` (and `demo`) delivers filings and takes receipts.
public struct RunSettings: Sendable {
    /// The gateway's message endpoint, e.g. `http://127.0.0.1:8088/dxp/messages`.
    public var gatewayURL: String
    /// The tax authority's filing endpoint; nil for the gateway's scheme, host
    /// and port + `/tax/filings` (where the built-in simulator takes them).
    public var taxEndpoint: String?
    /// The FX administration's filing endpoint; nil for the gateway's scheme,
    /// host and port + `/fx/filings`.
    public var fxEndpoint: String?
    /// Listen for receipt callbacks (`POST /v1/receipts`) here; nil for no listener.
    public var receiptHost: String
    public var receiptPort: Int?
    /// Watch this folder for receipt files; nil for none.
    public var inboxDirectory: URL?
    public var maxInFlight: Int
    public var pollInterval: Duration
    public var lease: Duration
    public var retryPolicy: RetryPolicy
    public var connectTimeout: Duration
    public var requestTimeout: Duration
    /// Each authority's concurrency cap, request rate and circuit breaker (`AuthorityLimits.standard` when not listed).
    public var authorityLimits: [Authority: AuthorityLimits]

    public init(
        gatewayURL: String, taxEndpoint: String? = nil, fxEndpoint: String? = nil, receiptHost: String = "127.0.0.1", receiptPort: Int? = nil, inboxDirectory: URL? = nil,
        maxInFlight: Int = 8, pollInterval: Duration = .seconds(1), lease: Duration = .seconds(60),
        retryPolicy: RetryPolicy = .standard, connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        authorityLimits: [Authority: AuthorityLimits] = [:]
    ) {
        self.gatewayURL = gatewayURL
        self.taxEndpoint = taxEndpoint
        self.fxEndpoint = fxEndpoint
        self.receiptHost = receiptHost
        self.receiptPort = receiptPort
        self.inboxDirectory = inboxDirectory
        self.maxInFlight = maxInFlight
        self.pollInterval = pollInterval
        self.lease = lease
        self.retryPolicy = retryPolicy
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.authorityLimits = authorityLimits
    }

    /// Where each authority's filings are posted, defaults filled in.
    public var endpoints: [Authority: String] {
        var endpoints: [Authority: String] = [.customs: gatewayURL]
        endpoints[.tax] = taxEndpoint ?? Self.defaultEndpoint(for: .tax, gatewayURL: gatewayURL)
        endpoints[.fx] = fxEndpoint ?? Self.defaultEndpoint(for: .fx, gatewayURL: gatewayURL)
        return endpoints
    }

    /// `--authority-limit` texts (`AuthorityLimits.parse`, e.g. `tax:rate=5,failures=3`), the last one per authority winning.
    public static func authorityLimits(parsing texts: [String]) throws -> [Authority: AuthorityLimits] {
        Dictionary(try texts.map(AuthorityLimits.parse), uniquingKeysWith: { _, last in last })
    }

    /// `gatewayURL`'s scheme, host and port + `/tax/filings` or `/fx/filings`.
    public static func defaultEndpoint(for authority: Authority, gatewayURL: String) -> String? {
        DispatchConfiguration.defaultEndpoint(for: authority, gatewayURL: gatewayURL)
    }
}

/// The long-lived parts of a running yidan — dispatcher, receipt listener,
/// inbox watcher — as services of one `ServiceGroup` with graceful shutdown.
public final class RouterRuntime: Sendable {
    public let environment: YidanEnvironment
    public let settings: RunSettings
    public let applier: ReceiptApplier
    let dispatcher: Dispatcher
    let client: CurlHTTPClient
    let logger: Logger
    private let receiptPort = AsyncStreamBox<Int>()
    private let group = Mutex<ServiceGroup?>(nil)

    public init(environment: YidanEnvironment, settings: RunSettings, logger: Logger = Logger(label: "yidan")) throws {
        self.environment = environment
        self.settings = settings
        self.logger = logger
        self.client = try CurlHTTPClient(configuration: .init(connectTimeout: settings.connectTimeout, timeout: settings.requestTimeout))
        let dispatcher = Dispatcher(
            store: environment.store,
            client: client,
            configuration: DispatchConfiguration(
                gatewayURL: settings.gatewayURL,
                senderId: environment.profile.dxpSenderId,
                receiverIds: [environment.profile.dxpReceiverId],
                endpoints: settings.endpoints,
                maxInFlight: settings.maxInFlight,
                lease: settings.lease,
                pollInterval: settings.pollInterval,
                retryPolicy: settings.retryPolicy,
                authorityLimits: settings.authorityLimits
            ),
            logger: logger
        )
        self.dispatcher = dispatcher
        // A receipt that finishes a statisticsFlag B export files its CEB701 summary (ExportSummary.swift).
        self.applier = Self.receiptApplier(environment: environment, logger: logger, wake: { dispatcher.wake() })
    }

    /// The receipt applier of a runtime; `wake` starts the dispatcher that
    /// sends what a receipt's follow-up files (EmbeddedDeployment's listener
    /// wakes the real runtime through it).
    public static func receiptApplier(environment: YidanEnvironment, logger: Logger, wake: @escaping @Sendable () -> Void) -> ReceiptApplier {
        ReceiptApplier(
            store: environment.store, statuses: environment.returnStatuses, taxRates: environment.taxRates, logger: logger,
            followUp: ReceiptFollowUps([ExportSummaryFollowUp(intake: environment.intake, rates: environment.exchangeRates, logger: logger, wake: wake)]
                + ProvenanceFollowUp.followUps(environment: environment, logger: logger))  // ProvenanceFollowUp.swift
        )
    }

    /// Something new is in the outbox (filed outside `submit`): claim it now.
    public func wake() {
        dispatcher.wake()
    }

    /// Each authority's circuit breaker, recent error rate and deliveries in flight.
    public func authorityHealth() -> [Authority: AuthorityHealth] {
        dispatcher.authorityHealth()
    }

    /// Files an order and wakes the dispatcher at once.
    public func submit(json: Data) async throws -> SubmitReceipt {
        let receipt = try await environment.intake.submit(json: json)
        if receipt.isNew { dispatcher.wake() }
        if receipt.isNew { await ProvenanceFollowUp.recordSale(orderNo: receipt.orderNo, applier: applier, logger: logger) }
        return receipt
    }

    /// The services to run, in start order.
    public func services() -> [any Service] {
        var services: [any Service] = [dispatcher]
        if let port = settings.receiptPort {
            let box = receiptPort
            services.append(ReceiptListener.application(
                applier: applier, host: settings.receiptHost, port: port, logger: logger,
                onRunning: { bound in box.yield(bound) }
            ))
        }
        if let inbox = settings.inboxDirectory {
            services.append(InboxWatcher(directory: inbox, applier: applier, logger: logger))
        }
        return services
    }

    /// The port the receipt listener bound (useful with port 0), once it listens.
    public func receiptListenerPort() async -> Int? {
        await receiptPort.first()
    }

    /// Runs all services until SIGTERM/SIGINT (graceful) or cancellation.
    public func run(extraServices: [any Service] = []) async throws {
        let group = ServiceGroup(configuration: .init(
            services: (services() + extraServices).map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        self.group.withLock { $0 = group }
        defer { self.group.withLock { $0 = nil } }
        try await group.run()
        await client.shutdown()
    }

    /// Asks a running `run()` to stop gracefully: no new claims, requests in
    /// flight finish, listeners close.
    public func shutdown() async {
        let running = group.withLock { $0 }
        await running?.triggerGracefulShutdown()
    }
}

/// A one-value broadcast: the receipt listener's port, known only once bound.
final class AsyncStreamBox<Value: Sendable>: Sendable {
    private let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: Value.self, bufferingPolicy: .bufferingNewest(1))
    }

    func yield(_ value: Value) { continuation.yield(value) }

    func first() async -> Value? {
        for await value in stream { return value }
        return nil
    }
}
