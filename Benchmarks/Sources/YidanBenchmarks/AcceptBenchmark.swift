import Foundation
import YidanCore
import YidanMapping
import YidanRouter
import YidanSigning
import YidanStore

/// Accept: orders made durable in the SQLite store (WAL, `synchronous = FULL`,
/// group commit) by 32 concurrent submitters in a closed loop, each timing its
/// own calls.
///
/// `accept.store` measures `SQLiteFilingStore.accept` with submissions prepared
/// beforehand (real signed filings of `OrderIntake.prepare`, cloned with fresh
/// order numbers, guids and buyers), i.e. the durable commit alone: what group
/// commit is for. `accept.intake` is `OrderIntake.submit` end to end (tax,
/// six filings mapped, signed, validated, then the commit), bound by the CPU
/// of mapping. Until `POST /v1/orders` exists this is measured at the intake API,
/// not over HTTP.
struct AcceptBenchmark {
    let count: Int
    let submitters: Int

    func run(into report: BenchReport) async throws {
        let folder = try BenchPaths.temporaryFolder("accept")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try MappingCatalog(directory: BenchPaths.mappings)
        let rates = try TaxRateTable(csv: String(contentsOf: BenchPaths.taxRates, encoding: .utf8))
        let signer = try PEMRSASigner(
            privateKeyPEM: String(contentsOf: BenchPaths.signingKey, encoding: .utf8),
            certificatePEM: String(contentsOf: BenchPaths.signingCertificate, encoding: .utf8),
            keyName: "yidan-bench", algorithm: .rsaSHA256
        )
        let generator = try OrderGenerator(taxRates: rates)

        // Prepared once (not timed), then cloned.
        let scratch = try SQLiteFilingStore(path: folder.appendingPathComponent("prepare.sqlite").path)
        let preparing = OrderIntake(store: scratch, mappings: catalog, taxRates: rates, signer: signer)
        var templates: [OrderSubmission] = []
        for number in 0..<min(count, 200) {
            templates.append(try await preparing.prepare(generator.order(number)).submission)
        }
        let submissions = (0..<count).map { number in Self.clone(templates[number % templates.count], number) }

        let store = try SQLiteFilingStore(path: folder.appendingPathComponent("accept.sqlite").path)
        let (seconds, latencies) = try await closedLoop(count) { index in
            guard case .accepted = try await store.accept(submissions[index]) else { throw BenchError("order \(index) not accepted") }
        }
        let groups = store.groupCommitStatistics
        report.add("accept.store", Double(count) / seconds, "orders/s", "\(count) orders (6 signed filings each), \(submitters) concurrent submitters, durable (WAL, synchronous=FULL)")
        report.add("accept.group_size", Double(groups.orders) / Double(max(groups.transactions, 1)), "orders/commit", "\(groups.transactions) transactions (group commit)")
        report.add("accept.store_p50", latencies.percentile(50), "ms", "accept → durable answer, median")
        report.add("accept.store_p99", latencies.percentile(99), "ms", "accept → durable answer, 99th percentile")

        // End to end through the intake API, over fewer orders (mapping-bound).
        let intakeCount = max(count / 10, submitters)
        let intakeStore = try SQLiteFilingStore(path: folder.appendingPathComponent("intake.sqlite").path)
        let intake = OrderIntake(store: intakeStore, mappings: catalog, taxRates: rates, signer: signer)
        let orders = try (0..<intakeCount).map { try generator.order(1_000_000 + $0) }
        let (intakeSeconds, intakeLatencies) = try await closedLoop(intakeCount) { index in
            guard try await intake.submit(orders[index]).isNew else { throw BenchError("order \(index) not new") }
        }
        report.add("accept.intake", Double(intakeCount) / intakeSeconds, "orders/s", "\(intakeCount) orders: OrderIntake.submit (map+sign+validate 6 filings, commit), \(submitters) concurrent")
        report.add("accept.intake_p99", intakeLatencies.percentile(99), "ms", "OrderIntake.submit, 99th percentile (p50 \(String(format: "%.1f", intakeLatencies.percentile(50))) ms)")
    }

    /// `submitters` tasks take indices 0..<count in turn; returns wall time and per-call latencies.
    private func closedLoop(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> (Double, Latencies) {
        let start = monotonicSeconds()
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for submitter in 0..<submitters {
                group.addTask {
                    var samples: [Double] = []
                    var index = submitter
                    while index < count {
                        let begin = monotonicSeconds()
                        try await call(index)
                        samples.append(monotonicSeconds() - begin)
                        index += submitters
                    }
                    return samples
                }
            }
            var all: [Double] = []
            for try await samples in group { all += samples }
            return all
        }
        return (monotonicSeconds() - start, Latencies(samples))
    }

    /// The template with its own order number, guids, idempotency keys and buyer.
    static func clone(_ template: OrderSubmission, _ number: Int) -> OrderSubmission {
        var submission = template
        submission.orderNo = "ACCEPT\(number)"
        submission.filings = template.filings.enumerated().map { position, filing in
            var copy = filing
            copy.id = String(format: "BE4C0000-0000-4000-8000-%06X%06X", number, position)
            copy.idempotencyKey = "\(filing.idempotencyKey)-\(number)"
            return copy
        }
        if var allowance = template.allowance {
            allowance.buyerKey = "\(allowance.buyerKey)-\(number)"
            submission.allowance = allowance
        }
        return submission
    }
}
