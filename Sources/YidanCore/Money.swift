public import Foundation

/// Decimal helpers. Money never passes through `Double`.
public enum Money {
    /// Parses a plain decimal literal ("12", "-3.50", "1e2" is refused) exactly.
    public static func parse(_ text: String) -> Decimal? {
        var sawDigit = false
        var sawDot = false
        for (index, c) in text.utf8.enumerated() {
            switch c {
            case 48...57: sawDigit = true
            case 46 where !sawDot: sawDot = true
            case 45 where index == 0: continue
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

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
