import Foundation
import YidanCore
import YidanTrace
import YidanChildProcess

/// Trace: `yidan trace SKU` on a store holding `count` EPCIS events.
///
/// The store is filled (not timed) with yidan's own commerce events — sale,
/// shipped, declared, released — for `count / 4` orders of one item each,
/// their SKUs drawn from a pool of 10,000 (about `count / 10,000` events per
/// SKU), captured in batches as `yidan event import` would. Timed: the
/// query alone (`TraceStore.trace`, the store open) over 50 SKUs, and the
/// whole command (`yidan trace SKU` as a process: start, open, query,
/// render) over 10 runs.
struct TraceBenchmark {
    let count: Int
    let yidan: URL

    static let skuPool = 10_000
    static let steps: [CommerceEvents.Step] = [.sale, .shipped, .customsDeclared, .customsReleased]

    func run(into report: BenchReport) async throws {
        let folder = try BenchPaths.temporaryFolder("trace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("yidan.sqlite").path
        let store = try TraceStore(path: path)

        let fillStart = monotonicSeconds()
        let orders = max(count / Self.steps.count, 1)
        var batch: [EPCISEvent] = []
        let base = Date(timeIntervalSince1970: 1_780_000_000)
        for number in 0..<orders {
            let sku = "SKU-\(number % Self.skuPool)"
            let order = TracedOrder(
                orderNo: "BENCH-\(number)", waybillNo: "WB\(number)", inventoryNo: "INV\(number)", customsCode: "5141",
                portCode: "5141", items: [.init(sku: sku, gtin: nil, quantity: 1)]
            )
            for (index, step) in Self.steps.enumerated() {
                let time = ZonedDateTime(instant: base.addingTimeInterval(Double(number * 60 + index * 3_600)), utcOffsetSeconds: 8 * 3_600)
                batch.append(CommerceEvents.event(step, order: order, at: time))
            }
            if batch.count >= 4_000 {
                _ = try await store.capture(batch, origin: .yidan)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await store.capture(batch, origin: .yidan) }
        let events = try await store.eventCount()
        report.add("trace.fill", Double(events) / (monotonicSeconds() - fillStart), "events/s",
                   "\(events) events captured in batches of 4,000 (hash, keys, chain), not part of the query figures")

        // Probe SKUs that exist (a short run fills fewer SKUs than the pool).
        let skus = min(Self.skuPool, orders)
        var query: [Double] = []
        var found = 0
        for probe in 0..<50 {
            let sku = "SKU-\((probe * 197) % skus)"
            let start = monotonicSeconds()
            found += try await store.trace(TraceID(sku)).count
            query.append(monotonicSeconds() - start)
        }
        let queryLatency = Latencies(query)
        report.add("trace.query_p50", queryLatency.percentile(50), "ms",
                   "TraceStore.trace(SKU) over \(events) events, \(found / 50) events per SKU on average")
        report.add("trace.query_p99", queryLatency.percentile(99), "ms", "the same, 99th percentile of 50 SKUs")

        var command: [Double] = []
        for probe in 0..<10 {
            let start = monotonicSeconds()
            let process = try ChildProcess(yidan.path, ["trace", "SKU-\((probe * 31) % skus)", "--store", path, "--mappings", BenchPaths.mappings.path])
            let status = process.waitUntilExit()
            command.append(monotonicSeconds() - start)
            guard status == 0 else {
                throw YidanError(.configuration, "`yidan trace` exited \(status)")
            }
        }
        report.add("trace.command_p50", Latencies(command).percentile(50), "ms",
                   "`yidan trace SKU` as a whole process (\(yidan.lastPathComponent) beside yidan-bench), median of 10")
    }
}
