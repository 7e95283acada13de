import Foundation
import Testing
import YidanCore
import YidanRates

@Suite("Customs monthly rates")
struct CustomsRatesTests {
    static func fixture() throws -> ExchangeRates {
        let url = RatesTestPaths.customsMay2025
        return try ExchangeRates.customsMonthly(csv: String(contentsOf: url, encoding: .utf8), source: url.lastPathComponent)
    }

    @Test("the customs rate of the order's month wins over ECB")
    func precedence() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09").merged(with: try Self.fixture())
        #expect(rates.customsMonths == ["2025-05"])
        let may = try at("2025-05-09T12:00:00+08:00")
        let usd = try rates.rate(from: "USD", on: may)
        #expect(usd == ExchangeRate(
            from: "USD", to: "CNY", rate: try dec("7.2029"), rateDate: "2025-04-16",
            source: "customs 2025-05 customs-2025-05.csv line 7 (illustrative example (not an official rate))"
        ))
        #expect(try rates.convert(try dec("100"), from: "USD", on: may).cny == (try dec("720.29")))
        // JPY per unit is kept exactly as written.
        #expect(try rates.rate(from: "JPY", on: may).rate == (try dec("0.049872")))
        // A currency the customs file lacks falls back to ECB.
        #expect(try rates.rate(from: "CHF", on: may).source == "ECB eurofxref-daily_2025-05-09.xml")
        // Customs rates are to CNY only: other targets are ECB cross rates.
        #expect(try rates.rate(from: "USD", to: "JPY", on: may).rate == (try dec("145.1831")))
        // Early June: no customs rate for June, the ECB rate of 2025-05-09 (23 days) applies.
        let june = try rates.rate(from: "USD", on: try at("2025-06-01T12:00:00+08:00"))
        #expect(june.rate == (try dec("7.2405")))
        #expect(june.rateDate == "2025-05-09")
    }

    @Test("the month is the order's month in Beijing time")
    func monthInBeijing() throws {
        let rates = try Self.fixture()
        // 2025-04-30 20:00 UTC is 2025-05-01 04:00 in Beijing: May's rate.
        #expect(try rates.rate(from: "USD", on: try at("2025-04-30T20:00:00Z")).rate == (try dec("7.2029")))
        // 2025-05-31 16:00 UTC is June 1st in Beijing: no rate (no ECB file either).
        let june = errorMessage { _ = try rates.rate(from: "USD", on: try at("2025-05-31T16:00:00Z")) }
        #expect(june == "no exchange rate USD→CNY for the order date 2025-06-01 (Beijing): no ECB rate file is loaded, and no customs monthly rate for USD in 2025-06")
    }

    @Test("converted amounts round half-up (away from zero) to the fen")
    func halfUp() throws {
        let csv = """
        month,currency,cny_per_unit,rate_date,source_note
        2025-05,HKD,1.5,2025-04-30,test
        2025-05,MOP,2.5,,test
        2025-05,SGD,0.9999,,test
        """
        let rates = try ExchangeRates.customsMonthly(csv: csv, source: "t.csv")
        let date = try at("2025-05-20T12:00:00+08:00")
        let cases: [(String, String, String)] = [
            ("HKD", "0.03", "0.05"),    // 0.045 → 0.05 (banker's rounding would give 0.04)
            ("HKD", "0.01", "0.02"),    // 0.015
            ("HKD", "-0.03", "-0.05"),  // -0.045: half away from zero
            ("MOP", "0.01", "0.03"),    // 0.025 → 0.03 (banker's: 0.02)
            ("MOP", "0.05", "0.13"),    // 0.125
            ("SGD", "100.05", "100.04"), // 100.039995
            ("SGD", "0.05", "0.05"),     // 0.049995 → 0.05
        ]
        for (currency, amount, expected) in cases {
            let converted = try rates.convert(try dec(amount), from: currency, on: date)
            #expect(converted.cny == (try dec(expected)), "\(amount) \(currency)")
        }
        #expect(try rates.rate(from: "HKD", on: date).rateDate == "2025-04-30")
        // No rate_date: the third Wednesday of April 2025.
        #expect(try rates.rate(from: "MOP", on: date).rateDate == "2025-04-16")
    }

    @Test("the benchmark date is the third Wednesday of the previous month", arguments: [
        ("2025-01", "2024-12-18"), ("2025-03", "2025-02-19"), ("2024-03", "2024-02-21"),
        ("2025-05", "2025-04-16"), ("2025-10", "2025-09-17"), ("2026-01", "2025-12-17"),
    ])
    func benchmarkDate(month: String, expected: String) throws {
        let rates = try ExchangeRates.customsMonthly(csv: "month,currency,cny_per_unit\n\(month),USD,7\n", source: "t.csv")
        #expect(try rates.rate(from: "USD", on: try at("\(month)-10T12:00:00+08:00")).rateDate == expected)
    }

    @Test("files are read with comments, quotes, CRLF and extra columns")
    func format() throws {
        let csv = "\u{FEFF}# rates\r\nmonth,currency,cny_per_unit,source_note,extra\r\n# a note between rows\r\n2025-05,usd,\"7.2029\",\"customs notice, May\",x\r\n\r\n2025-06,USD,7.1950,,y\r\n"
        let rates = try ExchangeRates.customsMonthly(csv: csv, source: "c.csv")
        #expect(rates.customsMonths == ["2025-05", "2025-06"])
        let may = try rates.rate(from: "USD", on: try at("2025-05-09T12:00:00+08:00"))
        #expect(may.source == "customs 2025-05 c.csv line 4 (customs notice, May)")
        let june = try rates.rate(from: "USD", on: try at("2025-06-09T12:00:00+08:00"))
        #expect(june.rate == (try dec("7.195")))
        #expect(june.source == "customs 2025-06 c.csv line 6")
    }

    @Test("bad rows are refused naming file, line and value", arguments: [
        ("month,currency\n2025-05,USD\n", "c.csv has no column cny_per_unit (columns: month, currency)"),
        ("month,currency,cny_per_unit\n2025-5,USD,7.2\n", "c.csv line 2: month \"2025-5\" is not yyyy-MM"),
        ("month,currency,cny_per_unit\n2025-13,USD,7.2\n", "c.csv line 2: month \"2025-13\" is not yyyy-MM"),
        ("month,currency,cny_per_unit\n2025-05,US Dollar,7.2\n", "c.csv line 2: currency \"US Dollar\" is not a 3-letter ISO 4217 code"),
        ("month,currency,cny_per_unit\n2025-05,CNY,1\n", "c.csv line 2: CNY needs no rate"),
        ("month,currency,cny_per_unit\n2025-05,USD,\"7,2\"\n", "c.csv line 2: USD cny_per_unit \"7,2\" is not a positive plain decimal"),
        ("month,currency,cny_per_unit\n2025-05,USD,7.2e0\n", "c.csv line 2: USD cny_per_unit \"7.2e0\""),
        ("month,currency,cny_per_unit\n2025-05,USD,0\n", "c.csv line 2: USD cny_per_unit \"0\""),
        ("month,currency,cny_per_unit\n2025-05,USD,7.2\n\n2025-05,usd,7.3\n", "c.csv line 4: USD for 2025-05 is already given on line 2"),
        ("month,currency,cny_per_unit,rate_date\n2025-05,USD,7.2,2025-06-01\n", "c.csv line 2: rate_date \"2025-06-01\" is not a date yyyy-MM-dd on or before the month 2025-05"),
        ("month,currency,cny_per_unit\n2025-05,USD\n", "c.csv line 2: expected 3 fields"),
        ("", "c.csv is empty"),
    ])
    func refused(csv: String, expected: String) {
        let message = errorMessage { _ = try ExchangeRates.customsMonthly(csv: csv, source: "c.csv") }
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "no error")")
    }

    @Test("load picks the format by extension and merges in order")
    func load() throws {
        let urls = [
            RatesTestPaths.ecbFile("2017-03-08"), RatesTestPaths.ecbFile("2025-05-09"), RatesTestPaths.customsMay2025,
        ]
        let rates = try ExchangeRates.load(urls)
        #expect(rates.ecbDates == ["2017-03-08", "2025-05-09"])
        #expect(rates.customsMonths == ["2025-05"])
        #expect(rates.stalenessLimit == ExchangeRates.defaultStalenessLimit)
        #expect(try rates.convert(try dec("100"), from: "USD", on: try at("2025-05-09T12:00:00+08:00")).cny == (try dec("720.29")))
        #expect(try rates.convert(try dec("100"), from: "USD", on: try at("2017-03-09T12:00:00+08:00")).cny == (try dec("691.10")))
        let wrong = errorMessage { _ = try ExchangeRates.load([RatesTestPaths.root.appendingPathComponent("Package.swift")]) }
        #expect(wrong == "rate file Package.swift: expected an ECB .xml file or a customs monthly-rate .csv file")
        let missing = errorMessage { _ = try ExchangeRates.load([RatesTestPaths.ecb.appendingPathComponent("missing.xml")]) }
        #expect(missing == "cannot read rate file missing.xml")
    }
}
