import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanRates
import YidanSigning
import YidanXML

/// Paths of the package and the shared reference, derived from this file.
enum PlatformPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings")
    static let platformMappings = mappings.appendingPathComponent("platforms")
    static let fixtures = packageRoot.appendingPathComponent("Fixtures")
    static let merchant = fixtures.appendingPathComponent("merchant")
    static let reference = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    static let orders = reference.appendingPathComponent("orders")
    static let ecb20250509 = reference.appendingPathComponent("filings/ecb/eurofxref-daily_2025-05-09.xml")

    static func payload(_ platform: String, _ name: String) -> URL {
        orders.appendingPathComponent(platform).appendingPathComponent(name)
    }
}

/// Everything loaded once for all platform tests.
enum Platforms {
    static let registry = Result { try PlatformRegistry(directory: PlatformPaths.platformMappings) }
    static let mappingCatalog = Result { try MappingCatalog(directory: PlatformPaths.mappings) }

    /// The project's tax rates (`Mappings/tables/tax-rates.csv`).
    static let taxRates = Result {
        try TaxRateTable(csv: String(contentsOf: PlatformPaths.mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
    }

    /// The ECB reference rates of 2025-05-09 (USD 1.1252, CNY 8.1470 per euro).
    static let ecbRates = Result {
        try ExchangeRates.ecb(xml: Data(contentsOf: PlatformPaths.ecb20250509), source: "eurofxref-daily_2025-05-09.xml")
    }

    /// The reference payloads are years old; they are converted at the rate of
    /// the (fixed) declaration date, for which the ECB file of 2025-05-09 holds.
    static let declarationDate = ZonedDateTime(iso8601: "2025-05-09T18:00:00+08:00")!

    /// The demo merchant's files (`Fixtures/merchant`) with the ECB rates.
    static let context = Result {
        var context = try MerchantContext.load(
            profile: PlatformPaths.merchant.appendingPathComponent("profile.yaml"),
            catalog: PlatformPaths.merchant.appendingPathComponent("catalog.csv"),
            identities: PlatformPaths.merchant.appendingPathComponent("identities.csv"),
            rates: [PlatformPaths.ecb20250509]
        )
        context.rateDate = .fixed(declarationDate)
        return context
    }

    static func assembler(_ context: MerchantContext? = nil) throws -> OrderAssembler {
        try OrderAssembler(context: context ?? Platforms.context.get(), taxRates: taxRates.get())
    }

    /// Parses a reference payload with the project's JSON parser.
    static func document(_ platform: String, _ name: String) throws -> JSONValue {
        try JSONParser().parse(Data(contentsOf: PlatformPaths.payload(platform, name)))
    }

    /// Fixed inputs so that filings are stable.
    static let now = ZonedDateTime(iso8601: "2025-05-10T10:00:00+08:00")!
    static func guid(_ kind: MessageKind) -> String {
        "5C1E0A7E-0000-4000-8000-000000000" + String(kind.rawValue.dropFirst(3))
    }

    static let signer = Result {
        try PEMRSASigner(
            privateKeyPEM: String(contentsOf: PlatformPaths.fixtures.appendingPathComponent("keys/test-signing-key.pem"), encoding: .utf8),
            certificatePEM: String(contentsOf: PlatformPaths.fixtures.appendingPathComponent("keys/test-signing-cert.pem"), encoding: .utf8),
            keyName: "yidan-test",
            algorithm: .rsaSHA256
        )
    }
}

/// Extracts the one order of a payload and assembles it with the demo merchant's files.
func assembleReference(_ platform: String, _ name: String, context: MerchantContext? = nil) throws -> AssembledOrder {
    let orders = try Platforms.registry.get().extract([Platforms.document(platform, name)])
    try #require(orders.count == 1)
    return try Platforms.assembler(context).assemble(orders[0])
}

/// Compares the normalized order and its provenance with
/// `Fixtures/platforms/<platform>/<name>.normalized.json` and `.provenance.txt`.
func expectMatchesGoldens(_ assembled: AssembledOrder, platform: String, name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : name
    try expectMatchesGolden(NormalizedOrderJSON.encode(assembled.order), platform: platform, file: stem + ".normalized.json", sourceLocation: sourceLocation)
    let provenance = Data((assembled.provenanceLines.joined(separator: "\n") + "\n").utf8)
    try expectMatchesGolden(provenance, platform: platform, file: stem + ".provenance.txt", sourceLocation: sourceLocation)
}

/// Byte-for-byte comparison with a golden file; `YIDAN_RECORD_GOLDEN=1` (re)writes it.
func expectMatchesGolden(_ actual: Data, platform: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let folder = PlatformPaths.fixtures.appendingPathComponent("platforms/\(platform)")
    let url = folder.appendingPathComponent(file)
    if ProcessInfo.processInfo.environment["YIDAN_RECORD_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try actual.write(to: url)
        return
    }
    guard let expected = try? Data(contentsOf: url) else {
        Issue.record("no golden file \(platform)/\(file): run the tests once with YIDAN_RECORD_GOLDEN=1 and review it", sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    let old = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
    let new = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
    let first = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
    Issue.record(
        "\(platform)/\(file) differs from the golden file at line \(first + 1) (re-record with YIDAN_RECORD_GOLDEN=1 if intended):\n- \(first < old.count ? old[first] : "")\n+ \(first < new.count ? new[first] : "")",
        sourceLocation: sourceLocation
    )
}

/// Maps an assembled order into CEB311/411/511/621, signs the inventory and
/// checks every message against the project's schema.
func expectFilesAllFourMessages(_ order: NormalizedOrder, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let catalog = try Platforms.mappingCatalog.get()
    let tax = try CompositeTax.compute(order: order, rates: Platforms.taxRates.get(), annualUsedBefore: 0)
    for kind in MessageKind.importDeclaration {
        let document = try catalog.makeFiling(kind, order: order, tax: tax, guid: Platforms.guid(kind), now: Platforms.now)
        if kind == .ceb621 {
            try XMLSignature.signEnveloped(document, with: Platforms.signer.get())
        }
        let issues = catalog.validate(document, kind: kind)
        #expect(issues.isEmpty, "\(kind.rawValue): \(issues.map(\.description))", sourceLocation: sourceLocation)
    }
}
