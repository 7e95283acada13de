import ArgumentParser
import Foundation
import YidanCore
import YidanIngest
import YidanRates

/// Options of `ingest` for platform payloads (Shopify, WooCommerce, …): the
/// merchant's files that platform orders are joined with. Without them only
/// the project's normalized order JSON is read.
struct IngestPlatformOptions: ParsableArguments {
    @Option(name: .long, help: "Read every payload as this platform's (e.g. shopify) instead of detecting it from its shape.")
    var platform: String?

    @Option(name: .long, help: "Merchant profile (YAML): enterprise codes, customs, logistics and payment defaults. Needed for platform payloads.")
    var profile: String?

    @Option(name: .long, help: "Product catalog (CSV, one row per SKU: HS code, legal units, origin, …). Needed for platform payloads.")
    var catalog: String?

    @Option(name: .long, help: "Buyer identities side file (CSV keyed by order number), for platforms that do not carry the buyer's ID.")
    var identities: String?

    @Option(name: .long, help: "Exchange rates: an ECB eurofxref XML or a customs monthly CSV; repeat for several.")
    var rates: [String] = []

    @Option(name: .long, help: "Convert foreign amounts at the rates of this date (YYYY-MM-DD, e.g. the declaration date) instead of each order's date.")
    var rateDate: String?

    /// `--rates` alone does not make the input a platform payload: the intake
    /// also uses the rates for a foreign-currency export's FX record (`intakeRates()`).
    var readsPlatformPayloads: Bool {
        platform != nil || profile != nil || catalog != nil || identities != nil || rateDate != nil
    }

    /// The `--rates` files for the intake (`YidanEnvironment.exchangeRates`): an
    /// export paid in a foreign currency is accepted only with its rate. Nil without any.
    func intakeRates() throws -> ExchangeRates? {
        rates.isEmpty ? nil : try ExchangeRates.load(rates.map { URL(fileURLWithPath: $0) })
    }

    /// Noon in Beijing of the given day: the rate files are daily (ECB) or monthly (customs).
    var fixedRateDate: ZonedDateTime? {
        get throws {
            guard let rateDate else { return nil }
            guard rateDate.count == 10, let date = ZonedDateTime(iso8601: rateDate + "T12:00:00+08:00") else {
                throw ValidationError("--rate-date \(rateDate): expected a date like 2025-05-09")
            }
            return date
        }
    }

    func validate() throws {
        if readsPlatformPayloads, profile == nil || catalog == nil {
            throw ValidationError("platform payloads need the merchant's --profile and --catalog")
        }
        _ = try fixedRateDate
    }

    /// The normalized order JSON reader, or the platform engine with the merchant's files.
    func normalizer(mappingsDirectory: URL) throws -> any OrderNormalizer {
        guard let (registry, assembler) = try platformEngine(mappingsDirectory: mappingsDirectory) else {
            return NormalizedOrderJSONNormalizer()
        }
        return PlatformOrderNormalizer(registry: registry, assembler: assembler, platform: platform)
    }

    /// The platform registry and the assembler with the merchant's files; nil
    /// when no platform option was given.
    func platformEngine(mappingsDirectory: URL) throws -> (PlatformRegistry, OrderAssembler)? {
        guard readsPlatformPayloads, let profile, let catalog else { return nil }
        do {
            let registry = try PlatformRegistry(directory: mappingsDirectory.appendingPathComponent("platforms"))
            if let platform, !registry.platforms.contains(platform) {
                throw CLIFailure("--platform \(platform): unknown platform (known: \(registry.platforms.joined(separator: ", ")))", exitCode: 64)
            }
            var context = try MerchantContext.load(
                profile: URL(fileURLWithPath: profile), catalog: URL(fileURLWithPath: catalog),
                identities: identities.map { URL(fileURLWithPath: $0) }, rates: rates.map { URL(fileURLWithPath: $0) }
            )
            if let date = try fixedRateDate { context.rateDate = .fixed(date) }
            let taxRates = try TaxRateTable(csv: String(
                contentsOf: mappingsDirectory.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8
            ))
            return (registry, OrderAssembler(context: context, taxRates: taxRates))
        } catch let failure as CLIFailure {
            throw failure
        } catch let failure as ValidationFailure {
            throw CLIFailure("the merchant's files are not usable, \(failure.description)")
        } catch let error as YidanError {
            throw CLIFailure("the merchant's files are not usable: \(error.description)")
        }
    }
}
