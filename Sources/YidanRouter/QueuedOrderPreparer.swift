public import Foundation
public import Logging
public import ServiceLifecycle
import YidanCore
import Synchronization
import YidanDispatch
public import YidanStore

/// Files the orders `POST /v1/orders` acknowledged with 202 (`OrderQueue.swift`):
/// each waiting order goes through the usual intake (`RouterRuntime.submit`:
/// tax, mapping, signing, validation, cross-filing check, one durable
/// transaction), then its queue row is marked filed or refused.
///
/// A `Service`: it runs beside the HTTP server in one `ServiceGroup` and stops
/// with it. Orders are prepared `parallelism` at a time (signing is CPU-bound,
/// so one per core). A store or transport failure leaves the order waiting for
/// the next turn; a refusal of the order itself (a field, the allowance, the
/// schema) is recorded with its reason, personal data masked, for the merchant
/// to read at `GET /v1/orders/{orderNo}`.
///
/// Crash safety: the row stays `waiting` until after the order is filed, and
/// filing is idempotent by order number, so a preparer killed in between
/// files nothing twice when it starts again; it only marks the row.
///
/// Peaks: while orders keep arriving (one in the last `peakWindow`), the
/// preparer steps back to one order at a time with `peakPause` between them,
/// so acknowledging orders keeps the CPU. Filing is bound by RSA signing (a
/// few hundred orders a second on two cores) and cannot keep up with a peak
/// anyway; the queue absorbs the peak and drains at full speed once it ends.
public final class QueuedOrderPreparer: Service, Sendable {
    let runtime: RouterRuntime
    public let queue: any OrderQueueStore
    let parallelism: Int
    let pollInterval: Duration
    let logger: Logger
    private let signal = WakeSignal()
    /// When the last order was queued (ContinuousClock nanoseconds since `epoch`).
    private let lastArrival = Atomic<Int64>(Int64.min / 2)
    private let epoch = ContinuousClock.now
    static let peakWindow: Duration = .milliseconds(100)
    static let peakPause: Duration = .milliseconds(200)

    public init(
        runtime: RouterRuntime, queue: any OrderQueueStore, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
        pollInterval: Duration = .seconds(1), logger: Logger = Logger(label: "yidan.preparer")
    ) {
        self.runtime = runtime
        self.queue = queue
        self.parallelism = max(1, parallelism)
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// A new order is waiting: look now rather than at the next poll.
    public func wake() {
        lastArrival.store(Self.nanoseconds(ContinuousClock.now - epoch), ordering: .relaxed)
        signal.wake()
    }

    /// Whether orders are arriving now (one queued within `peakWindow`).
    var inPeak: Bool {
        let since = Self.nanoseconds(ContinuousClock.now - epoch) - lastArrival.load(ordering: .relaxed)
        return since < Self.nanoseconds(Self.peakWindow)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    /// Prepares waiting orders until none is left; returns how many it finished.
    /// (`run` calls it in a loop; tests call it directly.)
    @discardableResult
    public func drain() async -> Int {
        var finished = 0
        while !Task.isCancelled {
            let batch: [QueuedOrder]
            do {
                batch = try await queue.waitingOrders(limit: parallelism * 16)
            } catch {
                logger.error("could not read the order queue", metadata: ["error": "\(error)"])
                return finished
            }
            guard !batch.isEmpty else { return finished }
            let outcomes = await prepare(batch)
            finished += outcomes.filter { $0 }.count
            // Only transient failures left: try again at the next turn, not in a hot loop.
            if outcomes.allSatisfy({ !$0 }) { return finished }
        }
        return finished
    }

    private func loop() async {
        while !Task.isCancelled {
            await drain()
            await signal.wait(upTo: pollInterval, clock: ContinuousClock())
        }
    }

    /// Prepares a batch, `parallelism` at a time (one at a time, paced, in a
    /// peak); true for each order finished (filed or refused).
    private func prepare(_ batch: [QueuedOrder]) async -> [Bool] {
        if inPeak {
            var results: [Bool] = []
            for order in batch {
                guard !Task.isCancelled else { break }
                if !results.isEmpty, inPeak { try? await Task.sleep(for: Self.peakPause) }
                results.append(await prepare(order))
            }
            return results + Array(repeating: false, count: batch.count - results.count)
        }
        return await withTaskGroup(of: (Int, Bool).self) { group in
            var results = [Bool](repeating: false, count: batch.count)
            var next = 0
            func addNext() {
                guard next < batch.count else { return }
                let index = next
                let order = batch[index]
                group.addTask { (index, await self.prepare(order)) }
                next += 1
            }
            for _ in 0..<parallelism { addNext() }
            while let (index, done) = await group.next() {
                results[index] = done
                addNext()
            }
            return results
        }
    }

    private func prepare(_ order: QueuedOrder) async -> Bool {
        let outcome: (state: QueuedOrderState, problem: String?)
        do {
            _ = try await runtime.submit(json: order.orderJSON)
            outcome = (.filed, nil)
        } catch let failure as ValidationFailure {
            outcome = (.refused, failure.description)
        } catch let error as YidanError where Self.isTransient(error) {
            logger.warning("a queued order could not be filed yet; it stays waiting", metadata: [
                "order": "\(order.orderNo)", "error": "\(error)",
            ])
            return false
        } catch is CancellationError {
            return false
        } catch {
            outcome = (.refused, "\(error)")
        }
        do {
            try await queue.finishQueuedOrder(orderNo: order.orderNo, state: outcome.state, problem: outcome.problem, at: Date())
            logger.debug("queued order finished", metadata: ["order": "\(order.orderNo)", "state": "\(outcome.state.rawValue)"])
            return true
        } catch {
            // The order is filed (or refused) but its row still says waiting:
            // the next turn files nothing twice and marks it then.
            logger.warning("could not mark a queued order", metadata: ["order": "\(order.orderNo)", "error": "\(error)"])
            return false
        }
    }

    /// Failures of the machinery, not of the order: try again later.
    static func isTransient(_ error: YidanError) -> Bool {
        [.store, .transport, .configuration].contains(error.code)
    }
}
