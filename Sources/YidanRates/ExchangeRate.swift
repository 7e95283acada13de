public import Foundation

/// One rate used for one conversion: `rate` units of `to` for one unit of `from`.
public struct ExchangeRate: Sendable, Equatable, CustomStringConvertible {
    public var from: String
    public var to: String
    /// Exact decimal, at least 4 decimals as customs quotes them (see `ExchangeRates`).
    public var rate: Decimal
    /// The date the rate is of, `yyyy-MM-dd`: the ECB reference date, or for a
    /// customs monthly rate its benchmark date.
    public var rateDate: String
    /// Where the rate comes from, e.g. `ECB eurofxref-daily_2025-05-09.xml` or
    /// `customs 2025-05 customs-2025-05.csv line 4 (PBoC central parity)`; a rate
    /// older than 31 days that a policy without limit accepted says so here.
    public var source: String

    public init(from: String, to: String, rate: Decimal, rateDate: String, source: String) {
        self.from = from
        self.to = to
        self.rate = rate
        self.rateDate = rateDate
        self.source = source
    }

    public var description: String {
        "1 \(from) = \(rate) \(to) (\(rateDate), \(source))"
    }
}

/// An amount converted to CNY, keeping what it came from.
public struct ConvertedAmount: Sendable, Equatable {
    public var original: Decimal
    public var currency: String
    /// `original × rate.rate`, rounded half-up to the fen.
    public var cny: Decimal
    public var rate: ExchangeRate

    public init(original: Decimal, currency: String, cny: Decimal, rate: ExchangeRate) {
        self.original = original
        self.currency = currency
        self.cny = cny
        self.rate = rate
    }
}
