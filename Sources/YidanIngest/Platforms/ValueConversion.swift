import Foundation
import YidanCore

/// The conversions a mapping file may ask for. Each one turns the platform's
/// text into the normalized form the assembler reads, or refuses it with a rule.
enum ValueConversion: Sendable {
    /// Plain decimal kept exactly as written (`"19.99"` and `19.99` both give `19.99`).
    case money
    /// Integer minor units (cents) → amount with that many decimals: `1999` → `19.99`.
    case minorUnits(Int)
    /// A time in the platform's format → RFC 3339 with its offset.
    case time(TimeFormat)
    /// A country name, ISO alpha-2 or alpha-3 code → ISO 3166 alpha-2.
    case country(CountryForm, CountryCodes)

    enum TimeFormat: String, Sendable, CaseIterable {
        case rfc3339
        case rfc2822
        /// Seconds since 1970-01-01T00:00:00Z.
        case unix
        /// `2017-08-21 22:22:19` with no zone, documented by the platform as UTC.
        case utcNaive = "utc-naive"
        /// `2014-10-15 18:36:05 +0800` (or RFC 3339): Lazada. See OffsetAndMillisecondTimes.swift.
        case spaceOffset = "space-offset"
        /// Milliseconds since 1970-01-01T00:00:00Z: Lazada order items.
        case unixMilliseconds = "unix-ms"
    }

    enum CountryForm: String, Sendable, CaseIterable {
        case name, iso2, iso3
    }

    func apply(_ text: String, source: String) throws(ConversionIssue) -> String {
        switch self {
        case .money:
            guard DecimalLiteral(text) != nil else {
                throw ConversionIssue(source: source, value: text, rule: "is not a plain decimal amount (digits, one optional point, no exponent)")
            }
            return text
        case .minorUnits(let digits):
            return try Self.shift(text, digits: digits, source: source)
        case .time(let format):
            guard let time = Self.parseTime(text, format: format) else {
                throw ConversionIssue(source: source, value: text, rule: "is not a \(format.rawValue) time\(Self.example(format))")
            }
            return time.iso8601
        case .country(let form, let codes):
            guard let code = codes.iso2(for: text, form: form) else {
                throw ConversionIssue(source: source, value: text, rule: "is not a country \(form.rawValue) in Mappings/tables/country.csv")
            }
            return code
        }
    }

    private static func shift(_ text: String, digits: Int, source: String) throws(ConversionIssue) -> String {
        let negative = text.hasPrefix("-")
        let magnitude = negative ? String(text.dropFirst()) : text
        guard !magnitude.isEmpty, magnitude.utf8.allSatisfy(ASCIIClass.digit), let value = Decimal(string: magnitude) else {
            throw ConversionIssue(source: source, value: text, rule: "is not a whole number of minor units")
        }
        var scaled = value
        for _ in 0..<digits { scaled /= 10 }
        return (negative ? "-" : "") + Money.format(scaled, minScale: digits)
    }

    private static func example(_ format: TimeFormat) -> String {
        switch format {
        case .rfc3339: " such as 2026-11-11T00:00:05+08:00"
        case .rfc2822: " such as Tue, 05 Mar 2019 21:40:11 +0000"
        case .unix: " (whole seconds since 1970-01-01 UTC)"
        case .utcNaive: " such as 2017-08-21 22:22:19 (UTC, no zone)"
        case .spaceOffset: " such as 2014-10-15 18:36:05 +0800"
        case .unixMilliseconds: " (whole milliseconds since 1970-01-01 UTC)"
        }
    }

    static func parseTime(_ text: String, format: TimeFormat) -> ZonedDateTime? {
        switch format {
        case .rfc3339:
            return ZonedDateTime(iso8601: text)
        case .utcNaive:
            // WooCommerce's *_gmt fields use a T, Magento a space; both carry no zone.
            guard text.utf8.count >= 19, !text.hasSuffix("Z"), !text.dropFirst(19).contains(where: { $0 == "+" || $0 == "-" }) else {
                return nil
            }
            return ZonedDateTime(iso8601: text + "Z")
        case .unix:
            guard !text.isEmpty, text.utf8.count <= 12, text.utf8.allSatisfy(ASCIIClass.digit), let seconds = Int(text) else { return nil }
            return ZonedDateTime(instant: Date(timeIntervalSince1970: TimeInterval(seconds)), utcOffsetSeconds: 0)
        case .rfc2822:
            return parseRFC2822(text)
        case .spaceOffset:
            return parseSpaceOffsetTime(text)
        case .unixMilliseconds:
            return parseUnixMillisecondsTime(text)
        }
    }

    /// `[Day, ]DD Mon YYYY HH:MM[:SS] (+HHMM | -HHMM | GMT | UT | Z)` (RFC 2822 section 3.3).
    private static func parseRFC2822(_ text: String) -> ZonedDateTime? {
        var rest = Substring(text)
        if let comma = rest.firstIndex(of: ",") { rest = rest[rest.index(after: comma)...] }
        let parts = rest.split(separator: " ")
        guard parts.count == 5 else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let day = Int(parts[0]), let monthIndex = months.firstIndex(of: String(parts[1])), parts[2].count == 4,
              let year = Int(parts[2])
        else { return nil }
        var clock = parts[3].split(separator: ":").map(String.init)
        if clock.count == 2 { clock.append("00") }
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 && $0.utf8.allSatisfy(ASCIIClass.digit) }) else { return nil }
        let zone: String
        switch parts[4] {
        case "GMT", "UT", "Z": zone = "Z"
        default:
            let z = Array(parts[4].utf8)
            guard z.count == 5, z[0] == 0x2B || z[0] == 0x2D, z.dropFirst().allSatisfy(ASCIIClass.digit) else { return nil }
            let s = String(parts[4])
            zone = String(s.prefix(3)) + ":" + String(s.suffix(2))
        }
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let iso = "\(year)-\(pad(monthIndex + 1))-\(pad(day))T\(clock[0]):\(clock[1]):\(clock[2])\(zone)"
        return ZonedDateTime(iso8601: iso)
    }
}

/// `Mappings/tables/country.csv` read for names and codes → ISO alpha-2.
struct CountryCodes: Sendable {
    private var byName: [String: String] = [:]
    private var byISO2: [String: String] = [:]
    private var byISO3: [String: String] = [:]

    init(table: CSVTable) throws(YidanError) {
        let iso2 = try table.requiredColumn(named: "iso2")
        let iso3 = try table.requiredColumn(named: "iso3")
        let en = try table.requiredColumn(named: "en")
        let zh = try table.requiredColumn(named: "zh")
        for record in table.records {
            let code = record[iso2]
            byISO2[Self.key(code)] = code
            byISO3[Self.key(record[iso3])] = code
            for name in [record[en], record[zh]] where byName[Self.key(name)] == nil {
                byName[Self.key(name)] = code
            }
        }
    }

    func iso2(for text: String, form: ValueConversion.CountryForm) -> String? {
        switch form {
        case .iso2: byISO2[Self.key(text)]
        case .iso3: byISO3[Self.key(text)]
        case .name: byName[Self.key(text)]
        }
    }

    private static func key(_ text: String) -> String { text.trimmingCharacters(in: .whitespaces).lowercased() }
}
