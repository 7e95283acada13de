import Foundation
import Testing
import YidanCore
import YidanRates

@Suite("ECB reference rates")
struct ECBRatesTests {
    @Test("F1: USD→CNY on 2025-05-09 is 8.1470 / 1.1252 = 7.2405; USD 100 → CNY 724.05")
    func vectorF1() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09")
        #expect(rates.ecbDates == ["2025-05-09"])
        let date = try at("2025-05-09T15:30:00+08:00")
        let rate = try rates.rate(from: "USD", on: date)
        #expect(rate == ExchangeRate(
            from: "USD", to: "CNY", rate: try dec("7.2405"),
            rateDate: "2025-05-09", source: "ECB eurofxref-daily_2025-05-09.xml"
        ))
        let converted = try rates.convert(try dec("100"), from: "usd", on: date)
        #expect(converted == ConvertedAmount(original: try dec("100"), currency: "USD", cny: try dec("724.05"), rate: rate))
        #expect(Money.format(converted.cny, minScale: 2) == "724.05")
        // 19.99 × 7.2405 = 144.737595 exactly → 144.74.
        #expect(try rates.convert(try dec("19.99"), from: "USD", on: date).cny == (try dec("144.74")))
    }

    @Test("cross rates through EUR, 4 decimals and at least 5 significant digits", arguments: [
        ("2025-05-09", "JPY", "CNY", "0.049871"),   // 8.1470 / 163.36 = 0.04987144…
        ("2025-05-09", "GBP", "CNY", "9.6107"),     // 8.1470 / 0.84770 = 9.61071…
        ("2025-05-09", "HKD", "CNY", "0.93088"),    // 8.1470 / 8.7519 = 0.930883…
        ("2025-05-09", "IDR", "CNY", "0.00043786"), // 8.1470 / 18606.59
        ("2025-05-09", "EUR", "CNY", "8.147"),
        ("2025-05-09", "CNY", "USD", "0.13811"),    // 1.1252 / 8.1470
        ("2025-05-09", "USD", "JPY", "145.1831"),   // 163.36 / 1.1252
        ("2025-05-09", "CNY", "EUR", "0.12274"),    // 1 / 8.1470 = 0.122744…
        ("2017-03-08", "USD", "CNY", "6.911"),      // 7.2953 / 1.0556 = 6.91104…
        ("2017-03-08", "JPY", "CNY", "0.060467"),   // 7.2953 / 120.65
        ("2017-03-08", "GBP", "CNY", "8.4093"),     // 7.2953 / 0.86753
    ])
    func crossRates(date: String, from: String, to: String, expected: String) throws {
        let rates = try RatesTestPaths.ecbRates("2017-03-08", "2025-05-09")
        let rate = try rates.rate(from: from, to: to, on: try at("\(date)T12:00:00+08:00"))
        #expect(rate.rate == (try dec(expected)))
        #expect(rate.rateDate == date)
        #expect(rate.source == "ECB eurofxref-daily_\(date).xml")
    }

    @Test func converting2017Amounts() throws {
        let rates = try RatesTestPaths.ecbRates("2017-03-08")
        let converted = try rates.convert(try dec("250.00"), from: "USD", on: try at("2017-03-08T09:00:00+08:00"))
        #expect(converted.rate.rate == (try dec("6.9110")))
        #expect(converted.cny == (try dec("1727.75")))
        #expect(converted.rate.rateDate == "2017-03-08")
    }

    @Test("the order's date is taken in Beijing time")
    func beijingDate() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09")
        // 2025-05-08 20:00 UTC is already 2025-05-09 04:00 in Beijing.
        #expect(try rates.rate(from: "USD", on: try at("2025-05-08T20:00:00Z")).rateDate == "2025-05-09")
        // 2025-05-08 15:00 UTC is 23:00 in Beijing, still the 8th: before the only file.
        let early = errorMessage { _ = try rates.rate(from: "USD", on: try at("2025-05-08T15:00:00Z")) }
        #expect(early == "no exchange rate USD→CNY for the order date 2025-05-08 (Beijing): it is before the earliest ECB rate for USD→CNY, of 2025-05-09 (files cover 2025-05-09 only)")
        // A weekend order takes Friday's rate.
        #expect(try rates.rate(from: "USD", on: try at("2025-05-11T10:00:00-04:00")).rateDate == "2025-05-09")
    }

    @Test("the latest date on or before the order wins; a gap beyond the limit is refused")
    func dateSelection() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09", "2017-03-08")
        #expect(rates.ecbDates == ["2017-03-08", "2025-05-09"])
        #expect(try rates.rate(from: "USD", on: try at("2017-04-08T12:00:00+08:00")).rateDate == "2017-03-08")
        // 2020: the rate before it is three years old although a later file exists.
        let gap = errorMessage { _ = try rates.rate(from: "USD", on: try at("2020-01-01T12:00:00+08:00")) }
        #expect(gap == "no exchange rate USD→CNY for the order date 2020-01-01 (Beijing): the latest ECB rate on or before it is of 2017-03-08, 1029 days earlier, beyond the staleness limit of 31 days (ECB rates loaded cover 2 dates from 2017-03-08 to 2025-05-09); add a newer ECB file or a customs monthly rate for 2020-01")
        let before = errorMessage { _ = try rates.rate(from: "USD", on: try at("2017-03-07T12:00:00+08:00")) }
        #expect(before?.contains("before the earliest ECB rate for USD→CNY, of 2017-03-08") == true)
    }

    @Test("staleness: 31 days accepted, 32 refused by default; a nil limit accepts and marks")
    func staleness() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09")
        let day31 = try rates.rate(from: "USD", on: try at("2025-06-09T23:59:59+08:00"))
        #expect(day31.rateDate == "2025-05-09")
        #expect(day31.source == "ECB eurofxref-daily_2025-05-09.xml")
        let late = try at("2025-06-10T00:00:00+08:00")
        let refused = errorMessage { _ = try rates.rate(from: "USD", on: late) }
        #expect(refused == "no exchange rate USD→CNY for the order date 2025-06-10 (Beijing): the latest ECB rate on or before it is of 2025-05-09, 32 days earlier, beyond the staleness limit of 31 days (it is the latest ECB rate loaded); add a newer ECB file or a customs monthly rate for 2025-06")

        let anyAge = rates.withStalenessLimit(nil)
        let old = try anyAge.convert(try dec("100"), from: "USD", on: try at("2025-08-01T12:00:00+08:00"))
        #expect(old.cny == (try dec("724.05")))
        #expect(old.rate.rateDate == "2025-05-09")
        #expect(old.rate.source == "ECB eurofxref-daily_2025-05-09.xml (stale: rate of 2025-05-09 used 84 days later, for an order of 2025-08-01)")

        let sixtyDays = ExchangeRates(stalenessLimit: .seconds(60 * 86_400)).merged(with: rates)
        #expect(sixtyDays.stalenessLimit == .seconds(60 * 86_400))
        #expect(try sixtyDays.rate(from: "USD", on: late).source.contains("stale: rate of 2025-05-09 used 32 days later"))
        #expect(errorMessage { _ = try sixtyDays.rate(from: "USD", on: try at("2025-07-09T12:00:00+08:00")) }?.contains("61 days earlier, beyond the staleness limit of 60 days") == true)
    }

    @Test func unknownCurrenciesAndEmptyTables() throws {
        let rates = try RatesTestPaths.ecbRates("2025-05-09")
        let date = try at("2025-05-09T12:00:00+08:00")
        #expect(errorMessage { _ = try rates.rate(from: "XYZ", on: date) } == "no exchange rate XYZ→CNY for the order date 2025-05-09 (Beijing): the ECB rates loaded (2025-05-09 only) have no rate for XYZ, and no customs monthly rate for XYZ in 2025-05")
        #expect(errorMessage { _ = try rates.rate(from: "US", on: date) } == "currency \"US\" is not a 3-letter ISO 4217 code")
        // HRK left the 2025 file when Croatia adopted the euro: the 2017 rate is too old.
        let both = try RatesTestPaths.ecbRates("2025-05-09", "2017-03-08")
        #expect(errorMessage { _ = try both.rate(from: "HRK", on: date) }?.contains("the latest ECB rate on or before it is of 2017-03-08") == true)
        let empty = ExchangeRates()
        #expect(empty.isEmpty)
        #expect(errorMessage { _ = try empty.convert(1, from: "USD", on: date) }?.contains("no ECB rate file is loaded") == true)
        // CNY needs no table.
        let cny = try empty.convert(try dec("12.345"), from: "CNY", on: date)
        #expect(cny.cny == (try dec("12.35")))
        #expect(cny.rate == ExchangeRate(from: "CNY", to: "CNY", rate: 1, rateDate: "2025-05-09", source: "identity (same currency)"))
    }

    @Test("a historical file with several dated Cubes")
    func historicalShape() throws {
        // Synthetic two-day file in the shape of eurofxref-hist-90d.xml (newest first, as the ECB writes it).
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
        <gesmes:subject>Reference rates</gesmes:subject>
        <Cube>
        <Cube time="2025-05-13"><Cube currency="USD" rate="1.1100"/><Cube currency="CNY" rate="8.0000"/></Cube>
        <Cube time="2025-05-12"><Cube currency="USD" rate="1.2500"/><Cube currency="CNY" rate="9.0000"/></Cube>
        </Cube>
        </gesmes:Envelope>
        """
        let rates = try ExchangeRates.ecb(xml: Data(xml.utf8), source: "hist-90d.xml")
        #expect(rates.ecbDates == ["2025-05-12", "2025-05-13"])
        #expect(try rates.rate(from: "USD", on: try at("2025-05-12T12:00:00+08:00")).rate == (try dec("7.2")))
        // 8.0000 / 1.1100 = 7.207207… → 7.2072
        #expect(try rates.rate(from: "USD", on: try at("2025-05-14T12:00:00+08:00")).rate == (try dec("7.2072")))
        // Merged with the real 2025-05-09 file, the 10th and 11th take the 9th.
        let merged = rates.merged(with: try RatesTestPaths.ecbRates("2025-05-09"))
        #expect(merged.ecbDates == ["2025-05-09", "2025-05-12", "2025-05-13"])
        #expect(try merged.rate(from: "USD", on: try at("2025-05-11T12:00:00+08:00")).rate == (try dec("7.2405")))
    }

    @Test("hostile or wrong XML is refused", arguments: [
        ("""
        <?xml version="1.0"?>
        <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time="2025-05-09"><Cube currency="USD" rate="&lol2;"/></Cube></Cube></gesmes:Envelope>
        """, "x.xml is not acceptable XML: XML refused: a DOCTYPE (DTD) is not allowed"),
        ("""
        <!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><e>&x;</e>
        """, "DOCTYPE"),
        ("<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\"><Cube>", "x.xml is not acceptable XML"),
        ("<Envelope/>", "the root element must be gesmes:Envelope"),
        ("""
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube/></gesmes:Envelope>
        """, "has no dated Cube"),
        ("""
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time="2025-5-9"><Cube currency="USD" rate="1"/></Cube></Cube></gesmes:Envelope>
        """, "Cube time \"2025-5-9\" is not a date yyyy-MM-dd"),
        ("""
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time="2025-05-09"><Cube currency="USD" rate="1.1e0"/></Cube></Cube></gesmes:Envelope>
        """, "USD rate \"1.1e0\" is not a positive decimal"),
        ("""
        <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube><Cube time="2025-05-09"><Cube currency="USD" rate="1.1"/><Cube currency="USD" rate="1.2"/></Cube></Cube></gesmes:Envelope>
        """, "USD appears twice on 2025-05-09"),
    ])
    func refused(xml: String, mention: String) {
        let message = errorMessage { _ = try ExchangeRates.ecb(xml: Data(xml.utf8), source: "x.xml") }
        #expect(message?.contains(mention) == true, "\(message ?? "no error")")
    }

    @Test func roundingOfRatesIsHalfUp() throws {
        #expect(ExchangeRates.roundRate(try dec("7.24045")) == (try dec("7.2405")))
        #expect(ExchangeRates.roundRate(try dec("7.24044999")) == (try dec("7.2404")))
        #expect(ExchangeRates.roundRate(try dec("0.0498705")) == (try dec("0.049871")))
        #expect(ExchangeRates.roundRate(try dec("0.5")) == (try dec("0.5")))
        #expect(ExchangeRates.roundRate(try dec("145.18305")) == (try dec("145.1831")))
    }
}
