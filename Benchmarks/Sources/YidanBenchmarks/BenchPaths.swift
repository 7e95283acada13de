import Foundation

/// Paths of the package and the shared reference, derived from this file (the
/// suite reads `Mappings/`, `Fixtures/` and `../shared/reference`, never copies them).
enum BenchPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings")
    static let fixtures = packageRoot.appendingPathComponent("Fixtures")
    static let merchant = fixtures.appendingPathComponent("merchant")
    static let amazonMerchant = fixtures.appendingPathComponent("platforms/amazon/merchant")
    static let reference = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    static let orders = reference.appendingPathComponent("orders")
    static let ecb20250509 = reference.appendingPathComponent("filings/ecb/eurofxref-daily_2025-05-09.xml")
    static let taxRates = mappings.appendingPathComponent("tables/tax-rates.csv")
    static let signingKey = fixtures.appendingPathComponent("keys/test-signing-key.pem")
    static let signingCertificate = fixtures.appendingPathComponent("keys/test-signing-cert.pem")

    /// The `yidan` executable built beside this one (same build folder and configuration).
    static var yidanExecutable: URL {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return own.deletingLastPathComponent().appendingPathComponent("yidan")
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-bench-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
