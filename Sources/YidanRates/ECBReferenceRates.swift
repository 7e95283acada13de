import Foundation
import YidanCore
import YidanXML

/// The ECB's euro foreign-exchange reference rates, as published in
/// `eurofxref-daily.xml` (one dated Cube) or `eurofxref-hist-90d.xml` /
/// `eurofxref-hist.xml` (many dated Cubes):
///
/// ```xml
/// <gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01"
///                  xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
///   <Cube><Cube time="2025-05-09"><Cube currency="USD" rate="1.1252"/>…</Cube></Cube>
/// </gesmes:Envelope>
/// ```
/// Each rate is units of the currency per 1 EUR, read exactly from the
/// attribute text.
struct ECBReferenceDay: Sendable, Equatable {
    var date: CalendarDay
    /// Currency → units per 1 EUR. EUR itself is implicit (1).
    var perEuro: [String: Decimal]
    var source: String
}

enum ECBReferenceFile {
    static let gesmesNamespace = "http://www.gesmes.org/xml/2002-08-01"
    static let eurofxrefNamespace = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"

    static func parse(_ xml: Data, source: String) throws -> [ECBReferenceDay] {
        // The hardened parser refuses DTDs, external entities and network access.
        let document: XMLDocument
        do {
            document = try XMLDocument.parse(xml)
        } catch let error as YidanError {
            throw YidanError(.configuration, "ECB rate file \(source) is not acceptable XML: \(error.message)", cause: error)
        }
        guard let root = document.root, root.localName == "Envelope", root.namespaceURI == gesmesNamespace else {
            throw YidanError(
                .configuration,
                "ECB rate file \(source): the root element must be gesmes:Envelope in \(gesmesNamespace) (an ECB eurofxref file)"
            )
        }
        let namespaces = ["gesmes": gesmesNamespace, "fx": eurofxrefNamespace]
        let dated = try document.select("/gesmes:Envelope/fx:Cube/fx:Cube", namespaces: namespaces)
        guard !dated.isEmpty else {
            throw YidanError(.configuration, "ECB rate file \(source) has no dated Cube (Envelope/Cube/Cube[@time])")
        }
        var days: [ECBReferenceDay] = []
        var seenDates: Set<CalendarDay> = []
        for cube in dated {
            let timeText = cube.attribute("time") ?? ""
            guard let date = CalendarDay(timeText) else {
                throw YidanError(.configuration, "ECB rate file \(source) line \(cube.line): Cube time \"\(timeText)\" is not a date yyyy-MM-dd")
            }
            guard seenDates.insert(date).inserted else {
                throw YidanError(.configuration, "ECB rate file \(source) line \(cube.line): the date \(date) appears twice")
            }
            var perEuro: [String: Decimal] = [:]
            for entry in cube.children("Cube", namespaceURI: eurofxrefNamespace) {
                let place = "ECB rate file \(source) line \(entry.line) (\(date))"
                let currencyText = entry.attribute("currency") ?? ""
                guard let currency = CurrencyCode.normalize(currencyText) else {
                    throw YidanError(.configuration, "\(place): currency \"\(currencyText)\" is not a 3-letter ISO 4217 code")
                }
                let rateText = entry.attribute("rate") ?? ""
                guard let rate = Money.parse(rateText.trimmingCharacters(in: .whitespaces)), rate > 0 else {
                    throw YidanError(.configuration, "\(place): \(currency) rate \"\(rateText)\" is not a positive decimal")
                }
                guard currency != "EUR" else {
                    throw YidanError(.configuration, "\(place): EUR is the base of ECB rates and cannot have a rate")
                }
                guard perEuro.updateValue(rate, forKey: currency) == nil else {
                    throw YidanError(.configuration, "\(place): \(currency) appears twice on \(date)")
                }
            }
            guard !perEuro.isEmpty else {
                throw YidanError(.configuration, "ECB rate file \(source) line \(cube.line): the Cube of \(date) lists no rates")
            }
            days.append(ECBReferenceDay(date: date, perEuro: perEuro, source: source))
        }
        return days
    }
}

/// ISO 4217 alphabetic codes as rate tables key them.
enum CurrencyCode {
    /// Upper-cased 3-letter code, or nil when `text` is not one.
    static func normalize(_ text: String) -> String? {
        let code = text.trimmingCharacters(in: .whitespaces).uppercased()
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else { return nil }
        return code
    }
}
