import Foundation
import YidanCore

/// What a source expression evaluates to before it is written as element text.
enum MappingValue: Sendable, Equatable {
    case text(String)
    case decimal(Decimal)
    case time(ZonedDateTime)

    /// Empty text counts as absent: `optional` elements are then left out and
    /// required ones are reported.
    var isEmpty: Bool {
        if case .text(let text) = self { return text.isEmpty }
        return false
    }

    /// The value as a number, for arithmetic; text is parsed exactly.
    var decimal: Decimal? {
        switch self {
        case .decimal(let value): value
        case .text(let text): Money.parse(text)
        case .time: nil
        }
    }

    /// Plain text, the way a condition compares it and a lookup keys it.
    var plainText: String {
        switch self {
        case .text(let text): text
        case .decimal(let value): Money.format(value)
        case .time(let time): time.format("yyyyMMddHHmmss", inOffset: ZonedDateTime.beijingOffsetSeconds)
        }
    }
}

extension MappingValue {
    static func optionalText(_ value: String?) -> MappingValue? {
        guard let value else { return nil }
        return .text(value)
    }

    static func optionalDecimal(_ value: Decimal?) -> MappingValue? {
        guard let value else { return nil }
        return .decimal(value)
    }
}
