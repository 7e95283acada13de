import Foundation
import Testing
import YidanCore

@Suite("Money.parse reads plain decimal literals exactly, as Decimal(string:) does")
struct MoneyParseTests {
    static let posix = Locale(identifier: "en_US_POSIX")

    /// Same value and same scale (exponent) as Foundation's reading.
    static func expectSameAsFoundation(_ text: String) {
        let ours = Money.parse(text)
        let foundation = Decimal(string: text, locale: posix)
        #expect(ours == foundation, "\(text)")
        if let ours, let foundation, !foundation.isZero {
            #expect(Money.scale(of: ours) == Money.scale(of: foundation), "\(text)")
        }
    }

    @Test("amounts as orders write them, with their scale kept",
          arguments: ["0", "12", "-3.50", "1.50", "0.01", "007.10", "-0.000", "5.", ".5", "-.25", "100.00",
                      "9999999999999999999", "12345678901234567.89", "0.0000000000000000001"])
    func literals(_ text: String) {
        Self.expectSameAsFoundation(text)
    }

    @Test("zero is never negative (a negative zero Decimal would be NaN)")
    func zero() throws {
        let zero = try #require(Money.parse("-0.00"))
        #expect(zero == 0)
        #expect(!zero.isNaN)
        #expect(zero.sign == .plus)
    }

    @Test("more than 19 digits still parse exactly")
    func longLiterals() {
        for text in ["12345678901234567890", "-98765432109876543210.123", "0.12345678901234567890123"] {
            Self.expectSameAsFoundation(text)
        }
    }

    @Test("anything but a plain literal is refused", arguments: ["", "-", ".", "1e2", "1,5", "+1", "1.2.3", " 1", "1 ", "--1", "1-", "NaN", "٣"])
    func refused(_ text: String) {
        #expect(Money.parse(text) == nil, "\(text)")
    }

    @Test("random literals read the same as Foundation's")
    func randomLiterals() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let whole = String(UInt64.random(in: 0...999_999_999_999, using: &generator))
            let fraction = String(repeating: "0", count: Int.random(in: 0...3, using: &generator))
                + String(UInt32.random(in: 0...9_999, using: &generator))
            let text = (Bool.random(using: &generator) ? "-" : "") + whole + (Bool.random(using: &generator) ? "." + fraction : "")
            Self.expectSameAsFoundation(text)
        }
    }
}
