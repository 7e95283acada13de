import Foundation
public import Logging
import ServiceLifecycle
public import YidanCore
public import YidanSimulator
import Synchronization
import YidanDispatch

/// yidan and the built-in authority simulator in one process, talking over
/// real loopback HTTP: the embedded default that `yidan demo` and the
/// end-to-end tests run.
///
/// Start order matters because each side needs the other's address: the
/// receipt listener binds first (port 0), the simulator starts with that
/// callback URL, then the dispatcher starts with the simulator's URL.
public final class EmbeddedDeployment: Sendable {
    public let runtime: RouterRuntime
    public let simulator: AuthoritySimulator
    public let gatewayURL: String
    public let callbackURL: String
    private let listenerGroup: ServiceGroup
    private let listenerTask: Task<Void, any Error>
    private let runtimeTask: Task<Void, any Error>

    private init(runtime: RouterRuntime, simulator: AuthoritySimulator, gatewayURL: String, callbackURL: String, listenerGroup: ServiceGroup, listenerTask: Task<Void, any Error>, runtimeTask: Task<Void, any Error>) {
        self.listenerGroup = listenerGroup
        self.runtime = runtime
        self.simulator = simulator
        self.gatewayURL = gatewayURL
        self.callbackURL = callbackURL
        self.listenerTask = listenerTask
        self.runtimeTask = runtimeTask
    }

    public static func start(
        environment: YidanEnvironment,
        stepDelay: Duration = .milliseconds(300),
        faults: FaultPlan = .none,
        taxRates: TaxRateTable? = nil,
        settings adjust: @Sendable (inout RunSettings) -> Void = { _ in },
        logger: Logger = Logger(label: "yidan")
    ) async throws -> EmbeddedDeployment {
        // 1. The receipt listener, on its own so its port is known before the simulator starts.
        //    Its follow-ups (an export's CEB701, tax and FX records) wake the
        //    runtime made in step 3, bound once it exists.
        let runtimeBox = Mutex<RouterRuntime?>(nil)
        let applier = RouterRuntime.receiptApplier(environment: environment, logger: logger, wake: {
            runtimeBox.withLock { $0 }?.wake()
        })
        let portBox = AsyncStreamBox<Int>()
        let listener = ReceiptListener.application(
            applier: applier, host: "127.0.0.1", port: 0, logger: logger,
            onRunning: { portBox.yield($0) }
        )
        let listenerGroup = ServiceGroup(configuration: .init(services: [listener], logger: logger))
        let listenerTask = Task { try await listenerGroup.run() }
        guard let receiptPort = await portBox.first() else {
            throw YidanError(.configuration, "the receipt listener did not start")
        }
        let callbackURL = "http://127.0.0.1:\(receiptPort)/v1/receipts"

        // 2. The simulator, calling back to the listener.
        guard let callback = URL(string: callbackURL) else {
            throw YidanError(.configuration, "bad callback URL \(callbackURL)")
        }
        let simulator = try AuthoritySimulator(
            configuration: SimulatorConfiguration(
                // Customs holds an inventory for its order, payment and waybill for
                // a while; 30 s here, however short the demo's receipt steps are.
                stepDelay: stepDelay, matchWindowSteps: max(10, Int(Duration.seconds(30) / stepDelay)), callbackURL: callback,
                schemaURL: SimulatorConfiguration.importSchema(inMappings: environment.mappingsDirectory),
                faultPlan: faults, taxRates: taxRates
            ),
            logger: logger
        )
        let base = try await simulator.start()
        let gatewayURL = base.absoluteString + "/dxp/messages"
        let taxURL = base.absoluteString + "/tax/filings"
        let fxURL = base.absoluteString + "/fx/filings"

        // 3. The dispatcher, posting to the simulator (customs, tax and FX endpoints). Short retries: this is a local demo.
        var settings = RunSettings(
            gatewayURL: gatewayURL, taxEndpoint: taxURL, fxEndpoint: fxURL, pollInterval: .milliseconds(200),
            retryPolicy: RetryPolicy(baseDelay: .milliseconds(200), maxDelay: .seconds(5), maxAttempts: 10),
            requestTimeout: .seconds(10),
            // A breaker that opens probes again soon: the simulator recovers as soon as its fault plan says so.
            authorityLimits: Dictionary(uniqueKeysWithValues: Authority.allCases.map {
                ($0, AuthorityLimits(breaker: .init(failureThreshold: 5, coolDown: .seconds(2))))
            })
        )
        adjust(&settings)
        let runtime = try RouterRuntime(environment: environment, settings: settings, logger: logger)
        runtimeBox.withLock { $0 = runtime }
        let runtimeTask = Task { try await runtime.run() }
        return EmbeddedDeployment(
            runtime: runtime, simulator: simulator, gatewayURL: gatewayURL, callbackURL: callbackURL,
            listenerGroup: listenerGroup, listenerTask: listenerTask, runtimeTask: runtimeTask
        )
    }

    /// Stops the dispatcher, the simulator and the listener, in that order.
    public func stop() async {
        await runtime.shutdown()
        _ = try? await runtimeTask.value
        await simulator.stop()
        await listenerGroup.triggerGracefulShutdown()
        _ = try? await listenerTask.value
    }
}
