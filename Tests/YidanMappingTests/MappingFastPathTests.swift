import Foundation
import Testing
import YidanCore
@testable import YidanMapping

/// The map stage's fast paths (Benchmarks/RESULTS.md) give exactly what the
/// code they replaced gave.
@Suite("Mapping fast paths agree with the plain code")
struct MappingFastPathTests {
    /// What `CodeLookup.normalize` was before its ASCII path.
    static func reference(_ key: String) -> String {
        key.trimmingCharacters(in: .whitespaces).lowercased()
    }

    @Test("key normalization: ASCII path equals Foundation trimming + lowercasing", arguments: [
        "PCS", "pcs", " Pcs\t", "\t\t", "", " ", "JP", "NZL ", "a b", " A\tB ", "KGM", "Z@[`{", "个", " 罐 ",
        "Ünit", "CAN\u{00A0}", "\u{3000}piece", "ﬀ", "İ",
    ])
    func normalization(key: String) {
        #expect(CodeLookup.normalize(key) == Self.reference(key))
    }

    @Test("a lookup finds keys as written, in other case and padded, and misses the same keys as before")
    func lookupHits() throws {
        let table = try CodeTable(name: "unit", csv: "customs,aliases\n007,piece|pcs|个\n122,can|罐\n")
        let lookup = try table.lookup(from: ["aliases"], to: "customs")
        #expect(lookup("pcs") == "007")
        #expect(lookup(" PCS ") == "007")
        #expect(lookup("个") == "007")
        #expect(lookup("Can") == "122")
        #expect(lookup("box") == nil)
        #expect(lookup("") == nil)
    }

    @Test("decimal text from the cache equals Money's, whatever the exponent, on first use and when cached")
    func decimalText() throws {
        let values = ["0", "0.00", "1.5", "1.50", "1.500", "-0.5", "-2.345", "2.345", "2.3", "100", "360", "659.70",
                      "0.0001", "12345678901234.5678", "999.995", "0.125", "7.2405"]
        let formats: [(Int?, Int?)] = [(nil, nil), (2, nil), (4, nil), (0, nil), (nil, 2), (nil, 5)]
        for _ in 0..<2 {
            for text in values {
                let number = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
                for (decimals, maxDecimals) in formats {
                    let expected: String
                    if let decimals {
                        expected = Money.format(Money.round(number, scale: decimals), minScale: decimals, maxScale: decimals)
                    } else if let maxDecimals {
                        expected = Money.format(Money.round(number, scale: maxDecimals))
                    } else {
                        expected = Money.format(number)
                    }
                    #expect(DecimalTextCache.text(number, decimals: decimals, maxDecimals: maxDecimals) == expected, "\(text) \(String(describing: decimals)) \(String(describing: maxDecimals))")
                }
            }
        }
        // 1.5 == 1.50 as Decimals: the cache keys on the exponent, so each keeps its own text.
        let short = try #require(Decimal(string: "1.5"))
        let long = Decimal(sign: .plus, exponent: -2, significand: 150)
        #expect(short == long)
        #expect(DecimalTextCache.text(short, decimals: nil, maxDecimals: nil) == Money.format(short))
        #expect(DecimalTextCache.text(long, decimals: nil, maxDecimals: nil) == Money.format(long))
    }
}
