import Foundation
import YidanCore
import YidanIngest

/// Ingest: the real Shopify and Amazon reference payloads (`../shared/reference/orders`)
/// → normalized orders: JSON parse, platform detection and extraction, joining with
/// the merchant's catalog, identities and ECB rates. One core.
struct IngestBenchmark {
    let count: Int

    func run(into report: BenchReport) throws {
        let registry = try PlatformRegistry(directory: BenchPaths.mappings.appendingPathComponent("platforms"))
        let rates = try TaxRateTable(csv: String(contentsOf: BenchPaths.taxRates, encoding: .utf8))
        guard let declarationDate = ZonedDateTime(iso8601: "2025-05-09T18:00:00+08:00") else { throw BenchError("bad time") }

        let cases: [(name: String, payload: String, merchant: URL)] = [
            ("ingest.shopify", "shopify/shopify_python_api__order.json", BenchPaths.merchant),
            ("ingest.amazon", "amazon-sp-api/orders_2026-01-01__getOrder__example.json", BenchPaths.amazonMerchant),
        ]
        for entry in cases {
            let bytes = try Data(contentsOf: BenchPaths.orders.appendingPathComponent(entry.payload))
            var context = try MerchantContext.load(
                profile: BenchPaths.merchant.appendingPathComponent("profile.yaml"),
                catalog: entry.merchant.appendingPathComponent("catalog.csv"),
                identities: entry.merchant.appendingPathComponent("identities.csv"),
                rates: [BenchPaths.ecb20250509]
            )
            // The payloads are years old: convert at the fixed date the ECB file holds.
            context.rateDate = .fixed(declarationDate)
            let assembler = OrderAssembler(context: context, taxRates: rates)
            var items = 0
            let start = monotonicSeconds()
            for _ in 0..<count {
                let document = try JSONParser().parse(bytes)
                let orders = try registry.extract([document])
                guard orders.count == 1 else { throw BenchError("\(entry.payload): expected one order, found \(orders.count)") }
                items += try assembler.assemble(orders[0]).order.items.count
            }
            let seconds = monotonicSeconds() - start
            report.add(entry.name, Double(count) / seconds, "orders/s", "\(entry.payload) (\(bytes.count) bytes, \(items / count) items) → NormalizedOrder, 1 core")
        }
    }
}
