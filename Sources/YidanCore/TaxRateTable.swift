public import Foundation

/// The import tax rates of goods whose HS code starts with `hsPrefix`.
public struct TaxRate: Sendable, Equatable, Hashable {
    /// 2 to 10 digits; the longest prefix of an item's HS code wins.
    public var hsPrefix: String
    /// Import VAT rate, e.g. 0.13.
    public var vat: Decimal
    /// Consumption-tax rate (ad valorem), 0 when the goods bear none.
    public var consumption: Decimal
    /// Customs duty rate, charged only at full rate (single item over 5,000).
    public var duty: Decimal
    /// Where the rates come from, so every figure can be checked.
    public var source: String
    public var description: String

    public init(hsPrefix: String, vat: Decimal, consumption: Decimal, duty: Decimal, source: String, description: String) {
        self.hsPrefix = hsPrefix
        self.vat = vat
        self.consumption = consumption
        self.duty = duty
        self.source = source
        self.description = description
    }
}

/// Rates by HS-code prefix, read from `Mappings/tables/tax-rates.csv`
/// (`hs_prefix,vat,consumption,duty,source,description`).
///
/// There is deliberately no default row: goods the table does not know are
/// refused rather than taxed at a guessed rate.
public struct TaxRateTable: Sendable, Equatable {
    public static let header = ["hs_prefix", "vat", "consumption", "duty", "source", "description"]

    public private(set) var rates: [TaxRate]
    private var byPrefix: [String: TaxRate]

    public init(rates: [TaxRate]) throws(YidanError) {
        self.rates = []
        self.byPrefix = [:]
        for rate in rates {
            try Self.check(rate, at: "rate \(rate.hsPrefix)")
            guard byPrefix[rate.hsPrefix] == nil else {
                throw YidanError(.configuration, "tax rates: HS prefix \(rate.hsPrefix) is listed twice")
            }
            byPrefix[rate.hsPrefix] = rate
            self.rates.append(rate)
        }
    }

    /// Parses the CSV text (RFC 4180: quoted fields may hold commas and doubled quotes).
    public init(csv: String) throws(YidanError) {
        let table = try CSVTable(csv: csv, name: "tax-rates.csv", comments: .anywhere)
        guard table.header == Self.header else {
            throw YidanError(.configuration, "tax-rates.csv: the header must be " + Self.header.joined(separator: ","))
        }
        var rates: [TaxRate] = []
        for record in table.records {
            let place = "tax-rates.csv line \(record.line)"
            let fields = record.fields
            func rate(_ column: Int) throws(YidanError) -> Decimal {
                guard let value = Money.parse(fields[column]) else {
                    throw YidanError(.configuration, "\(place): \(Self.header[column]) \"\(fields[column])\" is not a decimal rate like 0.13")
                }
                return value
            }
            let entry = TaxRate(
                hsPrefix: fields[0], vat: try rate(1), consumption: try rate(2), duty: try rate(3),
                source: fields[4], description: fields[5]
            )
            try Self.check(entry, at: place)
            rates.append(entry)
        }
        try self.init(rates: rates)
    }

    private static func check(_ rate: TaxRate, at place: String) throws(YidanError) {
        let digits = rate.hsPrefix.utf8
        guard (2...10).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw YidanError(.configuration, "\(place): hs_prefix \"\(rate.hsPrefix)\" must be 2-10 digits (no default row: unknown goods are refused)")
        }
        for (name, value) in [("vat", rate.vat), ("consumption", rate.consumption), ("duty", rate.duty)] {
            guard value >= 0, value < 1 else {
                throw YidanError(.configuration, "\(place): \(name) \(value) must be a fraction from 0 to below 1")
            }
        }
        guard !rate.source.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw YidanError(.configuration, "\(place): source must say where the rates come from")
        }
    }

    /// The rate of the longest prefix of `hsCode`, or nil when none matches.
    public func rate(forHSCode hsCode: String) -> TaxRate? {
        var prefix = Substring(hsCode)
        while prefix.count >= 2 {
            if let rate = byPrefix[String(prefix)] { return rate }
            prefix = prefix.dropLast()
        }
        return nil
    }

    public static func == (lhs: TaxRateTable, rhs: TaxRateTable) -> Bool { lhs.rates == rhs.rates }
}
