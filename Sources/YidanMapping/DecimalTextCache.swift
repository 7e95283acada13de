import Foundation
import Synchronization
import YidanCore

/// Element text of decimal values, memoised.
///
/// `Money.format` goes through `NSDecimalNumber` and Foundation string
/// searches (several µs per call) and a message writes ~30 decimals, while an
/// order's amounts, weights, quantities and rates repeat across orders; the
/// map benchmark found a third of mapping time here (Benchmarks/RESULTS.md).
/// The cache stores `Money`'s own answers, so the text is the same by
/// construction. The key carries the exponent because `Decimal` equality
/// ignores it (1.5 == 1.50), and the formatting input is the stored value.
enum DecimalTextCache {
    struct Key: Hashable {
        var value: Decimal
        var exponent: Int
        var decimals: Int?
        var maxDecimals: Int?
    }

    /// Bounded: cleared when full, so a stream of unique amounts costs one
    /// dictionary insert each and memory stays flat.
    static let capacity = 8_192
    private static let entries = Mutex<[Key: String]>([:])

    /// The text `FieldRule.render` writes for `number`: exactly `decimals`
    /// places, at most `maxDecimals` places, or as is.
    static func text(_ number: Decimal, decimals: Int?, maxDecimals: Int?) -> String {
        let key = Key(value: number, exponent: number.exponent, decimals: decimals, maxDecimals: maxDecimals)
        if let cached = entries.withLock({ $0[key] }) { return cached }
        let text: String
        if let decimals {
            text = Money.format(Money.round(number, scale: decimals), minScale: decimals, maxScale: decimals)
        } else if let maxDecimals {
            text = Money.format(Money.round(number, scale: maxDecimals))
        } else {
            text = Money.format(number)
        }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = text
        }
        return text
    }
}
