public import Foundation
public import YidanCore
public import YidanIngest

/// What happened to one order of a batch.
public struct BatchOutcome: Sendable {
    public enum Result: Sendable {
        /// Stored durably with its filings.
        case accepted(SubmitReceipt)
        /// The order number was accepted before; nothing filed twice.
        case alreadyAccepted(SubmitReceipt)
        /// Dry run: mapped, signed and schema-valid, not stored; the tax it would withhold.
        case checked(taxTotal: Decimal)
        /// Validate-only run: the order's fields are valid (no tax, mapping or store).
        case valid
        /// Refused, with every problem found.
        case refused([FieldIssue])
    }

    /// Position in the input, from 0; outcomes are reported in this order.
    public var sequence: Int
    public var location: String
    public var orderNo: String?
    public var result: Result

    public var isRefused: Bool {
        if case .refused = result { return true }
        return false
    }
}

/// Counts over a whole batch.
public struct BatchCounts: Sendable, Equatable {
    public var orders = 0
    public var accepted = 0
    public var alreadyAccepted = 0
    /// Dry run and validate-only: orders that passed.
    public var checked = 0
    public var refused = 0

    public init() {}

    public mutating func add(_ outcome: BatchOutcome) {
        orders += 1
        switch outcome.result {
        case .accepted: accepted += 1
        case .alreadyAccepted: alreadyAccepted += 1
        case .checked, .valid: checked += 1
        case .refused: refused += 1
        }
    }
}

/// Files many orders from a source: normalize → prepare (tax, map, sign,
/// validate) → accept, with a few orders in flight at once.
///
/// Memory stays bounded: the source yields one document at a time, at most
/// `maxInFlight` orders are being prepared, and an outcome is handed to
/// `report` (in input order) and then forgotten. Orders of the same buyer or
/// with the same order number never run at the same time, so the buyer's
/// annual allowance and duplicate numbers resolve exactly as if the batch
/// ran one by one: the first in the input wins, whatever the timing.
public struct BatchIntake: Sendable {
    public enum Mode: Sendable, Equatable {
        /// Store each valid order (like `submit`).
        case accept
        /// Everything except storing: tax, mapping, signing, schema validation.
        case dryRun
        /// Only read and validate the orders' fields.
        case validateOnly
    }

    public let intake: OrderIntake
    public let normalizer: any OrderNormalizer
    public let mode: Mode
    public let maxInFlight: Int

    public init(intake: OrderIntake, normalizer: any OrderNormalizer = NormalizedOrderJSONNormalizer(), mode: Mode = .accept, maxInFlight: Int = Self.defaultInFlight) {
        self.intake = intake
        self.normalizer = normalizer
        self.mode = mode
        self.maxInFlight = max(1, maxInFlight)
    }

    /// Twice the cores: mapping and signing use the CPU, the store waits on fsync.
    public static var defaultInFlight: Int { 2 * ProcessInfo.processInfo.activeProcessorCount }

    /// Runs the whole source. `report` sees every outcome exactly once, in
    /// input order. Throws when the input cannot be read or the store fails
    /// (outcomes reported so far stand); a bad order is an outcome, not an error.
    ///
    /// Two stages share one task group: documents are parsed and normalized
    /// in parallel as they are read, then, in input order, each order is
    /// prepared (and stored) while no other order of its buyer or number is.
    public func run(_ source: some OrderDocumentSource, report: (BatchOutcome) throws -> Void) async throws -> BatchCounts {
        var counts = BatchCounts()
        var pipeline = BatchPipeline(maxInFlight: maxInFlight)
        let intake = self.intake
        let mode = self.mode
        let normalizer = self.normalizer
        try await withThrowingTaskGroup(of: BatchPipeline.Finished.self) { group in
            var sourceDone = false
            while true {
                // Stage 2, in input order: orders whose turn it is and whose buyer and number are free.
                while let order = pipeline.nextDispatchable() {
                    let sequence = pipeline.window.start(location: order.location, orderNo: order.orderNo)
                    switch order.result {
                    case let .failure(failure):
                        pipeline.window.complete(sequence, .refused(failure.issues))
                    case .success where mode == .validateOnly:
                        pipeline.window.complete(sequence, .valid)
                    case let .success(valid):
                        pipeline.startProcessing(sequence, keys: Self.keys(valid))
                        group.addTask { .processed(sequence, try await Self.process(valid, intake: intake, dryRun: mode == .dryRun)) }
                    }
                }
                for outcome in pipeline.window.takeReady() {
                    counts.add(outcome)
                    try report(outcome)
                }
                // Stage 1: read and normalize more while there is room.
                while !sourceDone, pipeline.canRead {
                    guard let document = try source.next() else {
                        sourceDone = true
                        break
                    }
                    let index = pipeline.startNormalizing()
                    group.addTask { .normalized(index, normalizer.normalize(document)) }
                }
                guard pipeline.inFlight > 0 else {
                    if sourceDone { break }
                    continue
                }
                guard let finished = try await group.next() else { break }
                pipeline.finish(finished)
            }
        }
        return counts
    }

    /// Orders sharing a key never run at the same time.
    static func keys(_ order: NormalizedOrder) -> [String] {
        ["order|" + order.orderNo, "buyer|" + OrderIntake.buyerKey(order.buyer)]
    }

    /// One order through the intake. Problems of the order become a refusal;
    /// problems of the environment (store, configuration, signing key) are thrown.
    static func process(_ order: NormalizedOrder, intake: OrderIntake, dryRun: Bool) async throws -> BatchOutcome.Result {
        do {
            if let existing = try await intake.existingReceipt(orderNo: order.orderNo) {
                return .alreadyAccepted(existing)
            }
            let prepared = try await intake.prepare(order)
            if dryRun { return .checked(taxTotal: prepared.taxTotal) }
            let receipt = try await intake.accept(prepared)
            return receipt.isNew ? .accepted(receipt) : .alreadyAccepted(receipt)
        } catch let failure as ValidationFailure {
            return .refused(failure.issues)
        } catch let error as YidanError where !Self.environmentCodes.contains(error.code) {
            // The message is safe to show by YidanError's contract; it concerns the whole order.
            return .refused([FieldIssue(pointer: "", value: nil, rule: error.description)])
        }
    }

    static let environmentCodes: Set<YidanError.Code> = [.store, .configuration, .signing, .transport]
}

/// The bookkeeping of `BatchIntake.run`: what is being normalized, which
/// normalized orders wait for their turn, which keys are busy. Everything it
/// holds is bounded by `maxInFlight` and `maxPending`.
struct BatchPipeline {
    enum Finished: Sendable {
        case normalized(Int, [NormalizedDocument])
        case processed(Int, BatchOutcome.Result)
    }

    let maxInFlight: Int
    /// Outcomes and normalized orders allowed to wait for an earlier, slower order.
    let maxPending: Int
    var window = OutcomeWindow()
    private var nextDocument = 0
    private var nextDocumentToQueue = 0
    private var normalizing = 0
    private var processing = 0
    /// Normalized documents that finished ahead of an earlier one.
    private var normalized: [Int: [NormalizedDocument]] = [:]
    /// Normalized orders in input order, not started yet.
    private var queue: [NormalizedDocument] = []
    private var queueStart = 0
    private var busyKeys: [Int: [String]] = [:]

    init(maxInFlight: Int) {
        self.maxInFlight = maxInFlight
        self.maxPending = 4 * maxInFlight
    }

    var inFlight: Int { normalizing + processing }

    var canRead: Bool {
        normalizing < maxInFlight && normalized.count + (queue.count - queueStart) < maxPending && window.pendingCount < maxPending
    }

    mutating func startNormalizing() -> Int {
        normalizing += 1
        defer { nextDocument += 1 }
        return nextDocument
    }

    mutating func startProcessing(_ sequence: Int, keys: [String]) {
        processing += 1
        busyKeys[sequence] = keys
    }

    mutating func finish(_ finished: Finished) {
        switch finished {
        case let .normalized(index, documents):
            normalizing -= 1
            normalized[index] = documents
            while let ready = normalized.removeValue(forKey: nextDocumentToQueue) {
                queue += ready
                nextDocumentToQueue += 1
            }
        case let .processed(sequence, result):
            processing -= 1
            busyKeys[sequence] = nil
            window.complete(sequence, result)
        }
    }

    /// The next queued order if it may start now: refusals always; valid
    /// orders when a slot is free and neither their buyer nor number is busy.
    mutating func nextDispatchable() -> NormalizedDocument? {
        guard queueStart < queue.count else { return nil }
        let next = queue[queueStart]
        if case let .success(order) = next.result {
            guard processing < maxInFlight, window.pendingCount < maxPending else { return nil }
            let keys = BatchIntake.keys(order)
            guard !busyKeys.values.contains(where: { $0.contains(where: keys.contains) }) else { return nil }
        }
        queueStart += 1
        if queueStart > 64, queueStart * 2 > queue.count {
            queue.removeFirst(queueStart)
            queueStart = 0
        }
        return next
    }
}

/// Outcomes waiting to be reported in input order.
struct OutcomeWindow {
    private var nextSequence = 0
    private var nextToReport = 0
    private var started: [Int: (location: String, orderNo: String?)] = [:]
    private var done: [Int: BatchOutcome.Result] = [:]

    /// Orders started but not reported yet.
    var pendingCount: Int { nextSequence - nextToReport }

    mutating func start(location: String, orderNo: String?) -> Int {
        defer { nextSequence += 1 }
        started[nextSequence] = (location, orderNo)
        return nextSequence
    }

    mutating func complete(_ sequence: Int, _ result: BatchOutcome.Result) {
        done[sequence] = result
    }

    /// The outcomes that can be reported now: all consecutive completed ones.
    mutating func takeReady() -> [BatchOutcome] {
        var ready: [BatchOutcome] = []
        while let result = done.removeValue(forKey: nextToReport), let origin = started.removeValue(forKey: nextToReport) {
            ready.append(BatchOutcome(sequence: nextToReport, location: origin.location, orderNo: origin.orderNo, result: result))
            nextToReport += 1
        }
        return ready
    }
}
