import Foundation
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// Map: generated orders → CEB311/411/511/621, each built by the mapping layer,
/// validated against `schemas/ceb-import.xsd` and serialized, on one core
/// (one task, sequentially). Orders and guids are made before the clock starts.
/// A second figure adds what intake does on top: signing CEB621 and validating it again.
struct MapBenchmark {
    let count: Int

    func run(into report: BenchReport) throws {
        let catalog = try MappingCatalog(directory: BenchPaths.mappings)
        let rates = try TaxRateTable(csv: String(contentsOf: BenchPaths.taxRates, encoding: .utf8))
        let generator = try OrderGenerator(taxRates: rates)
        let orders = try (0..<count).map { number in
            let order = try generator.order(number)
            return (order, try CompositeTax.compute(order: order, rates: rates, annualUsedBefore: 0))
        }
        let guids = (0..<count * 4).map { _ in UUID().uuidString.uppercased() }
        guard let now = ZonedDateTime(iso8601: "2026-11-11T00:07:00+08:00") else { throw BenchError("bad time") }

        // Warm-up: first use pays for lazy libxml2 set-up.
        _ = try mapOne(orders[0].0, orders[0].1, catalog: catalog, guids: guids[0..<4], now: now)

        var bytes = 0
        let start = monotonicSeconds()
        for (index, (order, tax)) in orders.enumerated() {
            bytes += try mapOne(order, tax, catalog: catalog, guids: guids[index * 4..<index * 4 + 4], now: now)
        }
        let seconds = monotonicSeconds() - start
        report.add("map.throughput", Double(count) / seconds, "orders/s", "\(count) orders × 4 messages (3 items), validated + serialized, 1 core")
        report.add("map.per_order", seconds / Double(count) * 1e6, "µs/order", "\(bytes / count) bytes of XML per order")

        let signer = try PEMRSASigner(
            privateKeyPEM: String(contentsOf: BenchPaths.signingKey, encoding: .utf8),
            certificatePEM: String(contentsOf: BenchPaths.signingCertificate, encoding: .utf8),
            keyName: "yidan-bench", algorithm: .rsaSHA256
        )
        let signed = max(count / 4, 1)
        let signStart = monotonicSeconds()
        for index in 0..<signed {
            let (order, tax) = orders[index]
            let document = try catalog.makeFiling(.ceb621, order: order, tax: tax, guid: guids[index * 4 + 3], now: now)
            try XMLSignature.signEnveloped(document, with: signer)
            let issues = catalog.validate(document, kind: .ceb621)
            guard issues.isEmpty else { throw BenchError("signed CEB621 invalid: \(issues)") }
            _ = document.serialized()
        }
        let signSeconds = monotonicSeconds() - signStart
        report.add("map.ceb621_signed", Double(signed) / signSeconds, "msgs/s", "\(signed) CEB621 built + RSA-SHA256 enveloped signature + validated twice, 1 core")
    }

    private func mapOne(_ order: NormalizedOrder, _ tax: OrderTax, catalog: MappingCatalog, guids: ArraySlice<String>, now: ZonedDateTime) throws -> Int {
        var bytes = 0
        for (kind, guid) in zip(MessageKind.importDeclaration, guids) {
            let document = try catalog.makeFiling(kind, order: order, tax: tax, guid: guid, now: now)
            bytes += document.serialized().count
        }
        return bytes
    }
}
