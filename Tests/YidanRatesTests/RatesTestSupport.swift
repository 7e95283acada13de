import Foundation
import Testing
import YidanCore
import YidanRates

enum RatesTestPaths {
    /// The package root, from this file's place in Tests/YidanRatesTests.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The shared ECB reference files, read in place (never copied).
    static let ecb = root.appendingPathComponent("../shared/reference/filings/ecb").standardizedFileURL
    static let customsMay2025 = root.appendingPathComponent("Fixtures/merchant/rates/customs-2025-05.csv")

    static func ecbFile(_ date: String) -> URL {
        ecb.appendingPathComponent("eurofxref-daily_\(date).xml")
    }

    static func ecbRates(_ dates: String...) throws -> ExchangeRates {
        var rates = ExchangeRates()
        for date in dates {
            let url = ecbFile(date)
            rates = rates.merged(with: try ExchangeRates.ecb(xml: Data(contentsOf: url), source: url.lastPathComponent))
        }
        return rates
    }
}

/// An order time, e.g. `at("2025-05-09T10:00:00+08:00")`.
func at(_ text: String) throws -> ZonedDateTime {
    try #require(ZonedDateTime(iso8601: text), "bad time \(text)")
}

/// Exact decimal from its text (never through Double).
func dec(_ text: String) throws -> Decimal {
    try #require(Money.parse(text), "bad decimal \(text)")
}

/// The message of the YidanError `body` throws, checking its code.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as YidanError {
        #expect(error.code == .configuration, "\(error)")
        return error.message
    } catch {
        return "unexpected \(error)"
    }
}
