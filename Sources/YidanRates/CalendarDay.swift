import YidanCore

/// A civil date `yyyy-MM-dd` (proleptic Gregorian), as ECB files and rate
/// dates write it. Text compares in date order, and `dayNumber` gives whole
/// days between dates without any clock or zone.
struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `yyyy-MM-dd`.
    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The wall-clock date of `time` in Beijing (UTC+8): customs dates everything in Beijing time.
    init(beijingDateOf time: ZonedDateTime) {
        let fields = time.fields(inOffset: ZonedDateTime.beijingOffsetSeconds)
        year = fields.year
        month = fields.month
        day = fields.day
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday … 3 = Wednesday … 6 = Saturday.
    var weekday: Int {
        ((dayNumber % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
    }

    /// `yyyy-MM`, the key of a customs monthly rate.
    var monthKey: String { Self.pad(year, 4) + "-" + Self.pad(month, 2) }

    var description: String { monthKey + "-" + Self.pad(day, 2) }

    static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// The third Wednesday of the month before `year`-`month`: the PBoC benchmark
    /// date of the customs rate for that month (see RULES.md).
    static func thirdWednesdayOfPreviousMonth(year: Int, month: Int) -> CalendarDay? {
        let (y, m) = month == 1 ? (year - 1, 12) : (year, month - 1)
        guard let first = CalendarDay(year: y, month: m, day: 1) else { return nil }
        let firstWednesday = 1 + (3 - first.weekday + 7) % 7
        return CalendarDay(year: y, month: m, day: firstWednesday + 14)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
