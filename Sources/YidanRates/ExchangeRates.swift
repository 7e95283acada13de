public import Foundation
public import YidanCore

/// The exchange rates a merchant supplies, for converting order amounts to
/// CNY (CEB amounts are RMB).
///
/// Sources, combined with `merged(with:)`:
/// - ECB reference rates (`ecb(xml:source:)`): units per 1 EUR for each
///   publication date; rates between two non-EUR currencies are crossed
///   through EUR.
/// - Customs monthly rates (`customsMonthly(csv:source:)`): CNY per unit for
///   one month of orders. For a conversion to CNY, the customs rate of the
///   order's month (Beijing time) wins over any ECB rate.
///
/// Choosing an ECB rate: the latest publication date on or before the order's
/// date in Beijing time that lists both currencies (ECB publishes on TARGET
/// working days, so weekend orders take Friday's rate). An order before the
/// earliest such date is refused. A rate more than `stalenessLimit` before
/// the order's date is refused, naming both dates; with no limit it is
/// accepted and its `source` says how old it is (marked beyond 31 days).
///
/// Rounding, half-up throughout: a crossed rate to 4 decimals and at least 5
/// significant digits (USD→CNY 7.2405; JPY→CNY 0.049871, as customs quotes
/// JPY per 100 units to 4 decimals); a converted amount to the fen. Customs
/// monthly rates are used exactly as written. No binary floating point.
public struct ExchangeRates: Sendable {
    /// Orders more than this after the rate's date are refused unless the policy says otherwise.
    public static let defaultStalenessLimit: Duration = .seconds(31 * 86_400)
    /// Accepted rates older than this many days are marked in their `source`.
    public static let markOlderThanDays = 31

    /// nil accepts a rate of any age (marking old ones); see the type's documentation.
    public var stalenessLimit: Duration?
    /// ECB days in date order.
    var ecbDays: [ECBReferenceDay]
    /// "yyyy-MM CUR" → rate.
    var customsRates: [String: CustomsMonthlyRate]

    /// No rates yet: every conversion except CNY→CNY fails.
    public init(stalenessLimit: Duration? = ExchangeRates.defaultStalenessLimit) {
        self.stalenessLimit = stalenessLimit
        self.ecbDays = []
        self.customsRates = [:]
    }

    /// An ECB `eurofxref-daily.xml`, `eurofxref-hist-90d.xml` or `eurofxref-hist.xml`
    /// file. `source` names it in every rate it yields (e.g. the file name).
    public static func ecb(xml: Data, source: String) throws -> ExchangeRates {
        var rates = ExchangeRates()
        rates.ecbDays = try ECBReferenceFile.parse(xml, source: source).sorted { $0.date < $1.date }
        return rates
    }

    /// The project's customs monthly-rate CSV (`month,currency,cny_per_unit[,rate_date][,source_note]`,
    /// see `Mappings/rates/README.md`).
    public static func customsMonthly(csv: String, source: String) throws -> ExchangeRates {
        var rates = ExchangeRates()
        for rate in try CustomsMonthlyRateFile.parse(csv, source: source) {
            rates.customsRates[rate.month + " " + rate.currency] = rate
        }
        return rates
    }

    /// Reads rate files by extension: `.xml` is ECB, `.csv` a customs monthly-rate file.
    public static func load(_ urls: [URL], stalenessLimit: Duration? = defaultStalenessLimit) throws -> ExchangeRates {
        var all = ExchangeRates(stalenessLimit: stalenessLimit)
        for url in urls {
            let name = url.lastPathComponent
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw YidanError(.configuration, "cannot read rate file \(name)", cause: error)
            }
            switch url.pathExtension.lowercased() {
            case "xml":
                all = all.merged(with: try ecb(xml: data, source: name))
            case "csv":
                guard let text = String(data: data, encoding: .utf8) else {
                    throw YidanError(.configuration, "rate file \(name) is not UTF-8 text")
                }
                all = all.merged(with: try customsMonthly(csv: text, source: name))
            default:
                throw YidanError(.configuration, "rate file \(name): expected an ECB .xml file or a customs monthly-rate .csv file")
            }
        }
        return all
    }

    /// Both sets of rates; where both give the same ECB date or the same customs
    /// month and currency, `other`'s wins. Keeps this value's staleness limit.
    public func merged(with other: ExchangeRates) -> ExchangeRates {
        var result = self
        var byDate = Dictionary(ecbDays.map { ($0.date, $0) }, uniquingKeysWith: { _, later in later })
        for day in other.ecbDays { byDate[day.date] = day }
        result.ecbDays = byDate.values.sorted { $0.date < $1.date }
        result.customsRates.merge(other.customsRates) { _, later in later }
        return result
    }

    /// The same rates under another staleness policy.
    public func withStalenessLimit(_ limit: Duration?) -> ExchangeRates {
        var copy = self
        copy.stalenessLimit = limit
        return copy
    }

    /// ECB publication dates held, `yyyy-MM-dd`, oldest first.
    public var ecbDates: [String] { ecbDays.map(\.date.description) }
    /// Customs months held, `yyyy-MM`, oldest first.
    public var customsMonths: [String] { Set(customsRates.values.map(\.month)).sorted() }
    public var isEmpty: Bool { ecbDays.isEmpty && customsRates.isEmpty }

    /// The rate for converting `currency` to `target` for an order placed at `date`.
    public func rate(from currency: String, to target: String = "CNY", on date: ZonedDateTime) throws -> ExchangeRate {
        guard let from = CurrencyCode.normalize(currency) else {
            throw YidanError(.configuration, "currency \"\(currency)\" is not a 3-letter ISO 4217 code")
        }
        guard let to = CurrencyCode.normalize(target) else {
            throw YidanError(.configuration, "currency \"\(target)\" is not a 3-letter ISO 4217 code")
        }
        let orderDay = CalendarDay(beijingDateOf: date)
        if from == to {
            return ExchangeRate(from: from, to: to, rate: 1, rateDate: orderDay.description, source: "identity (same currency)")
        }
        if to == "CNY", let customs = customsRates[orderDay.monthKey + " " + from] {
            return ExchangeRate(
                from: from, to: to, rate: customs.cnyPerUnit,
                rateDate: customs.rateDate.description, source: customs.source
            )
        }
        return try ecbRate(from: from, to: to, orderDay: orderDay)
    }

    /// `amount` of `currency` in CNY for an order placed at `date`: amount × rate, half-up to the fen.
    public func convert(_ amount: Decimal, from currency: String, on date: ZonedDateTime) throws -> ConvertedAmount {
        let rate = try rate(from: currency, to: "CNY", on: date)
        return ConvertedAmount(
            original: amount, currency: rate.from,
            cny: Money.round(amount * rate.rate, scale: 2), rate: rate
        )
    }

    /// Rounds a crossed rate half-up to 4 decimals, or more for rates below 1 so
    /// that 5 significant digits remain (0.0498714… → 0.049871).
    public static func roundRate(_ rate: Decimal) -> Decimal {
        var scale = 4
        if rate > 0, rate < 1 {
            var shifted = rate
            var leading = 0
            while shifted < 1 {
                shifted *= 10
                leading += 1
            }
            scale = max(4, leading + 4)
        }
        return Money.round(rate, scale: scale)
    }

    private func ecbRate(from: String, to: String, orderDay: CalendarDay) throws -> ExchangeRate {
        func perEuro(_ code: String, _ day: ECBReferenceDay) -> Decimal? {
            code == "EUR" ? 1 : day.perEuro[code]
        }
        // The days that quote both currencies, with their per-euro rates.
        let quoting = ecbDays.compactMap { day -> (day: ECBReferenceDay, from: Decimal, to: Decimal)? in
            guard let fromRate = perEuro(from, day), let toRate = perEuro(to, day) else { return nil }
            return (day, fromRate, toRate)
        }
        let pair = "\(from)→\(to)"
        guard let earliest = quoting.first, let latest = quoting.last else {
            let missing = [from, to].filter { code in !ecbDays.contains { perEuro(code, $0) != nil } }
            let held = ecbDays.isEmpty ? "no ECB rate file is loaded" : "the ECB rates loaded (\(coverage)) have no rate for \(missing.joined(separator: " or "))"
            let customsHint = to == "CNY" ? ", and no customs monthly rate for \(from) in \(orderDay.monthKey)" : ""
            throw YidanError(.configuration, "no exchange rate \(pair) for the order date \(orderDay) (Beijing): \(held)\(customsHint)")
        }
        guard let chosen = quoting.last(where: { $0.day.date <= orderDay }) else {
            throw YidanError(
                .configuration,
                "no exchange rate \(pair) for the order date \(orderDay) (Beijing): it is before the earliest ECB rate for \(pair), of \(earliest.day.date) (files cover \(coverage))"
            )
        }
        let day = chosen.day
        let age = orderDay.dayNumber - day.date.dayNumber
        if let limit = stalenessLimit, Int64(age) * 86_400 > max(0, limit.components.seconds) {
            let newest = latest.day.date == day.date ? "it is the latest ECB rate loaded" : "ECB rates loaded cover \(coverage)"
            throw YidanError(
                .configuration,
                "no exchange rate \(pair) for the order date \(orderDay) (Beijing): the latest ECB rate on or before it is of \(day.date), \(age) days earlier, beyond the staleness limit of \(Self.days(limit)) (\(newest)); add a newer ECB file or a customs monthly rate for \(orderDay.monthKey)"
            )
        }
        var source = "ECB \(day.source)"
        if age > Self.markOlderThanDays {
            source += " (stale: rate of \(day.date) used \(age) days later, for an order of \(orderDay))"
        }
        return ExchangeRate(
            from: from, to: to, rate: Self.roundRate(chosen.to / chosen.from),
            rateDate: day.date.description, source: source
        )
    }

    private var coverage: String {
        guard let first = ecbDays.first, let last = ecbDays.last else { return "no dates" }
        return first.date == last.date ? "\(first.date) only" : "\(ecbDays.count) dates from \(first.date) to \(last.date)"
    }

    private static func days(_ limit: Duration) -> String {
        let seconds = limit.components.seconds
        return seconds % 86_400 == 0 ? "\(seconds / 86_400) days" : "\(seconds) seconds"
    }
}
