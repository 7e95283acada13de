public import Foundation

/// The 18-character resident identity card number of mainland China
/// (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.
public enum MainlandIDNumber {
    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// The check character for the first 17 digits, or nil if they are not 17 digits.
    public static func checkCharacter(forFirst17 digits: String) -> Character? {
        let bytes = Array(digits.utf8)
        guard bytes.count == 17, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        var sum = 0
        for (byte, weight) in zip(bytes, weights) {
            sum += Int(byte - 0x30) * weight
        }
        return checkCharacters[sum % 11]
    }

    /// True for 17 digits followed by the right check character (upper-case X for 10).
    public static func isValid(_ number: String) -> Bool {
        guard number.utf8.count == 18, let last = number.last else { return false }
        return checkCharacter(forFirst17: String(number.dropLast())) == last
    }
}

extension NormalizedOrder {
    /// The sum of the items' totals, which `goodsValue` must equal.
    public var itemsTotal: Decimal {
        items.reduce(Decimal(0)) { $0 + $1.totalPrice }
    }

    /// The customs-value base of the composite tax: goods value (before
    /// non-cash discounts, as CEB311 defines it) plus freight and insurance.
    public var dutiableValue: Decimal {
        goodsValue + freight + insurance
    }

    /// What the buyer must pay for a given tax: goodsValue + freight + tax − discount
    /// (CEB311 `acturalPaid`, equal to CEB411 `amountPaid`).
    public func expectedPayment(taxTotal: Decimal) -> Decimal {
        goodsValue + freight + taxTotal - discount
    }
}

extension OrderItem {
    /// qty × unitPrice rounded half-up to the fen, which `totalPrice` must equal.
    public var computedTotal: Decimal {
        Money.round(qty * unitPrice, scale: 2)
    }
}
