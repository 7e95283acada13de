public import Foundation

/// Decimal helpers. Money never passes through `Double`.
public enum Money {
    /// Parses a plain decimal literal ("12", "-3.50", "1e2" is refused) exactly.
    ///
    /// The same value, with the same exponent, as `Decimal(string:)` reads
    /// (`MoneyParseTests` compares both). Up to 19 digits are read into the
    /// mantissa here: `Decimal(string:locale:)` with a `Locale` made per call
    /// was 3 % of the CPU of accepting orders over HTTP (every amount of every
    /// order). Longer literals still go through it.
    public static func parse(_ text: String) -> Decimal? {
        var sawDigit = false
        var sawDot = false
        var negative = false
        var digits = 0
        var fractionDigits = 0
        var mantissa: UInt64 = 0
        for (index, c) in text.utf8.enumerated() {
            switch c {
            case 48...57:
                sawDigit = true
                if mantissa > 0 || c != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                if sawDot { fractionDigits += 1 }
            case 46 where !sawDot: sawDot = true
            case 45 where index == 0: negative = true
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        guard digits <= 19, fractionDigits <= 127 else {
            return Decimal(string: text, locale: posix)
        }
        // No negative zero: a Decimal with the sign set and a zero mantissa is NaN.
        return Decimal(sign: negative && mantissa != 0 ? .minus : .plus, exponent: -fractionDigits, significand: Decimal(mantissa))
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Rounds half away from zero ("half-up" as Chinese tax rules mean it) to `scale` places.
    public static func round(_ value: Decimal, scale: Int = 2) -> Decimal {
        var input = value
        var result = Decimal()
        // .plain rounds halves away from zero for both signs.
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }

    /// Number of digits after the decimal point of the value as written.
    public static func scale(of value: Decimal) -> Int {
        max(0, -Int(value.exponent))
    }

    /// Plain text without exponent or grouping, at least `minScale` decimals:
    /// format(5, minScale: 2) == "5.00"; format(1.5) == "1.5".
    public static func format(_ value: Decimal, minScale: Int = 0, maxScale: Int? = nil) -> String {
        var v = value
        if let maxScale { v = round(v, scale: maxScale) }
        var text = NSDecimalNumber(decimal: v).stringValue
        if text.contains("e") || text.contains("E") {
            text = v.description
        }
        guard minScale > 0 else { return text }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        if fraction.count >= minScale { return text }
        return String(parts[0]) + "." + fraction + String(repeating: "0", count: minScale - fraction.count)
    }
}
