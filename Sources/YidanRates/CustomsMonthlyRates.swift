import Foundation
import YidanCore

/// One customs monthly rate: CNY for one unit of a currency during one month.
struct CustomsMonthlyRate: Sendable, Equatable {
    /// `yyyy-MM`, the month of the orders the rate applies to (Beijing time).
    var month: String
    var currency: String
    var cnyPerUnit: Decimal
    /// The benchmark date: `rate_date` when the file gives one, otherwise the
    /// third Wednesday of the previous month (the PBoC rule customs follows).
    var rateDate: CalendarDay
    /// `customs 2025-05 customs-2025-05.csv line 4 (note)`.
    var source: String
}

/// The project's customs monthly-rate CSV (documented in `Mappings/rates/README.md`):
///
/// ```
/// # comment lines
/// month,currency,cny_per_unit,source_note
/// 2025-05,USD,7.2029,PBoC central parity 2025-04-16
/// ```
/// Required columns: `month` (`yyyy-MM`), `currency` (ISO 4217), `cny_per_unit`
/// (a positive plain decimal, kept exactly as written). Optional: `rate_date`
/// (`yyyy-MM-dd`, on or before the month) and `source_note`. Other columns
/// are ignored. One row per month and currency.
enum CustomsMonthlyRateFile {
    static func parse(_ csv: String, source: String) throws -> [CustomsMonthlyRate] {
        let table = try CSVTable(csv: csv, name: source, comments: .anywhere)
        let monthColumn = try table.requiredColumn(named: "month")
        let currencyColumn = try table.requiredColumn(named: "currency")
        let rateColumn = try table.requiredColumn(named: "cny_per_unit")
        let dateColumn = table.column(named: "rate_date")
        let noteColumn = table.column(named: "source_note")
        var rates: [CustomsMonthlyRate] = []
        var firstLine: [String: Int] = [:]
        for record in table.records {
            let place = "\(source) line \(record.line)"
            func field(_ column: Int) -> String { record[column].trimmingCharacters(in: .whitespaces) }
            let monthText = field(monthColumn)
            guard let monthStart = CalendarDay(monthText + "-01"), monthText.utf8.count == 7 else {
                throw YidanError(.configuration, "\(place): month \"\(monthText)\" is not yyyy-MM")
            }
            guard let currency = CurrencyCode.normalize(field(currencyColumn)) else {
                throw YidanError(.configuration, "\(place): currency \"\(field(currencyColumn))\" is not a 3-letter ISO 4217 code")
            }
            guard currency != "CNY" else {
                throw YidanError(.configuration, "\(place): CNY needs no rate (CNY amounts are not converted)")
            }
            let rateText = field(rateColumn)
            guard let rate = Money.parse(rateText), rate > 0 else {
                throw YidanError(
                    .configuration,
                    "\(place): \(currency) cny_per_unit \"\(rateText)\" is not a positive plain decimal like 7.2029 (CNY for ONE unit)"
                )
            }
            let rateDate: CalendarDay
            if let dateColumn, !field(dateColumn).isEmpty {
                guard let date = CalendarDay(field(dateColumn)), date.monthKey <= monthStart.monthKey else {
                    throw YidanError(.configuration, "\(place): rate_date \"\(field(dateColumn))\" is not a date yyyy-MM-dd on or before the month \(monthText)")
                }
                rateDate = date
            } else if let benchmark = CalendarDay.thirdWednesdayOfPreviousMonth(year: monthStart.year, month: monthStart.month) {
                rateDate = benchmark
            } else {
                throw YidanError(.configuration, "\(place): month \(monthText) has no previous month")
            }
            let key = monthText + " " + currency
            if let earlier = firstLine.updateValue(record.line, forKey: key) {
                throw YidanError(.configuration, "\(place): \(currency) for \(monthText) is already given on line \(earlier)")
            }
            let note = noteColumn.map(field) ?? ""
            rates.append(CustomsMonthlyRate(
                month: monthText, currency: currency, cnyPerUnit: rate, rateDate: rateDate,
                source: "customs \(monthText) \(place)" + (note.isEmpty ? "" : " (\(note))")
            ))
        }
        return rates
    }
}
