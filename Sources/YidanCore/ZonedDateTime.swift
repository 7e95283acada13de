public import Foundation

/// An instant together with the UTC offset it was stated in.
///
/// Orders arrive with local times ("2026-11-11T00:00:05+08:00"); customs wants
/// Beijing time without zone ("20261111000005"). Keeping the offset means we
/// never silently reinterpret a time in the machine's zone.
public struct ZonedDateTime: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var instant: Date
    /// Offset from UTC in seconds, e.g. 28800 for +08:00.
    public var utcOffsetSeconds: Int

    public static let beijingOffsetSeconds = 8 * 3600

    public init(instant: Date, utcOffsetSeconds: Int) {
        self.instant = instant
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Parses RFC 3339 / ISO 8601 with a mandatory zone: `2026-11-29T10:15:00+08:00`,
    /// `2026-11-29T02:15:00Z`, fractional seconds allowed. Returns nil otherwise.
    public init?(iso8601 text: String) {
        let scalars = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= scalars.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let c = scalars[index]
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        func expect(_ index: Int, _ char: UInt8) -> Bool { index < scalars.count && scalars[index] == char }
        guard let year = digits(0, 4), expect(4, 45), let month = digits(5, 2), expect(7, 45),
              let day = digits(8, 2), scalars.count > 10, scalars[10] == 84 || scalars[10] == 116 || scalars[10] == 32,
              let hour = digits(11, 2), expect(13, 58), let minute = digits(14, 2), expect(16, 58),
              let second = digits(17, 2)
        else { return nil }
        var index = 19
        var nanos = 0
        if expect(index, 46) {
            index += 1
            var scale = 100_000_000
            let start = index
            while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                nanos += Int(scalars[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < scalars.count else { return nil }
        var offset = 0
        if scalars[index] == 90 || scalars[index] == 122 {
            guard index + 1 == scalars.count else { return nil }
        } else if scalars[index] == 43 || scalars[index] == 45 {
            let sign = scalars[index] == 43 ? 1 : -1
            guard let oh = digits(index + 1, 2), expect(index + 3, 58), let om = digits(index + 4, 2),
                  index + 6 == scalars.count, oh < 24, om < 60
            else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        calendar.timeZone = zone
        guard let date = calendar.date(from: components) else { return nil }
        // Reject dates that the calendar normalised (e.g. 31 February).
        let check = calendar.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        self.instant = date.addingTimeInterval(Double(nanos) / 1e9)
        self.utcOffsetSeconds = offset
    }

    /// Broken-down wall-clock fields in the given offset (defaults to the stated one).
    public func fields(inOffset offset: Int? = nil) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        let useOffset = offset ?? utcOffsetSeconds
        let shifted = instant.timeIntervalSince1970 + Double(useOffset)
        let wholeSeconds = Int64(shifted.rounded(.down))
        let millis = Int(((shifted - Double(wholeSeconds)) * 1000).rounded(.down))
        var days = wholeSeconds >= 0 ? wholeSeconds / 86_400 : (wholeSeconds - 86_399) / 86_400
        let secondsOfDay = Int(wholeSeconds - days * 86_400)
        // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
        return (year, month, day, secondsOfDay / 3600, (secondsOfDay % 3600) / 60, secondsOfDay % 60, millis)
    }

    /// Formats with a small fixed pattern language: yyyy MM dd HH mm ss SSS; any
    /// other character is copied. `offset` picks the wall clock (Beijing for customs).
    public func format(_ pattern: String, inOffset offset: Int? = nil) -> String {
        let f = fields(inOffset: offset)
        var out = ""
        var rest = Substring(pattern)
        func pad(_ value: Int, _ width: Int) -> String {
            let s = String(value)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        while let first = rest.first {
            if rest.hasPrefix("yyyy") { out += pad(f.year, 4); rest = rest.dropFirst(4) }
            else if rest.hasPrefix("MM") { out += pad(f.month, 2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("dd") { out += pad(f.day, 2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("HH") { out += pad(f.hour, 2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("mm") { out += pad(f.minute, 2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("ss") { out += pad(f.second, 2); rest = rest.dropFirst(2) }
            else if rest.hasPrefix("SSS") { out += pad(f.millisecond, 3); rest = rest.dropFirst(3) }
            else { out.append(first); rest = rest.dropFirst() }
        }
        return out
    }

    /// RFC 3339 with the stated offset, e.g. `2026-11-29T10:15:00+08:00`.
    public var iso8601: String {
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let magnitude = abs(utcOffsetSeconds)
        let zone = utcOffsetSeconds == 0
            ? "Z"
            : sign + String(format: "%02d:%02d", magnitude / 3600, (magnitude % 3600) / 60)
        return format("yyyy-MM-ddTHH:mm:ss") + zone
    }

    public var description: String { iso8601 }

    public static func now(utcOffsetSeconds: Int = beijingOffsetSeconds) -> ZonedDateTime {
        ZonedDateTime(instant: Date(), utcOffsetSeconds: utcOffsetSeconds)
    }
}
