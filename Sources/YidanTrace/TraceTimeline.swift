public import Foundation
public import YidanCore

/// `Mappings/tables/customs-districts.csv`: the city of a customs office code.
public struct CustomsDistricts: Sendable {
    private var cities: [String: CBVVocabulary.Label] = [:]

    public init(csv text: String) throws {
        let table = try CSVTable(csv: text, name: "customs-districts.csv")
        let prefix = try table.requiredColumn(named: "prefix")
        let en = try table.requiredColumn(named: "en")
        let zh = try table.requiredColumn(named: "zh")
        for record in table.records { cities[record[prefix]] = CBVVocabulary.Label(en: record[en], zh: record[zh]) }
    }

    public init(mappingsDirectory: URL) throws {
        let url = mappingsDirectory.appendingPathComponent("tables/customs-districts.csv")
        do {
            try self.init(csv: try String(contentsOf: url, encoding: .utf8))
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.configuration, "cannot read \(url.path)", cause: error)
        }
    }

    public func city(ofOffice code: String) -> CBVVocabulary.Label? {
        guard code.count >= 2 else { return nil }
        return cities[String(code.prefix(2))]
    }
}

/// The consumer's view of a product's journey: when, what happened, where
/// (city, or the GS1 location key), under which transaction. Built only from
/// event fields that hold no personal data; extension fields are never shown.
public struct TraceTimeline: Sendable {
    public enum Language: String, Sendable, CaseIterable { case en, zh }

    public struct Entry: Sendable, Equatable {
        public var time: ZonedDateTime
        public var step: String
        public var stepLabel: String
        public var disposition: String?
        public var place: String?
        public var products: [String]
        public var transactions: [String]
        public var eventID: String
        public var origin: String
    }

    public var id: String
    public var entries: [Entry]

    public init(id: String, events: [StoredEvent], vocabulary: CBVVocabulary, districts: CustomsDistricts, language: Language) {
        self.id = id
        self.entries = events.map { stored in
            let event = stored.event
            let step = event.bizStep ?? event.kind.rawValue
            let label = vocabulary.label(step, kind: .bizStep)
            let disposition = event.disposition.map { vocabulary.label($0, kind: .disposition).map { language == .zh ? $0.zh : $0.en } ?? $0 }
            return Entry(
                time: event.eventTime,
                step: CBVTerm.bare(step, kind: .bizStep) ?? step,
                stepLabel: label.map { language == .zh ? $0.zh : $0.en } ?? step,
                disposition: disposition,
                place: Self.place(event.bizLocation ?? event.readPoint, districts: districts, language: language),
                products: event.productIdentifiers.map(TraceKey.chainProduct),
                transactions: event.bizTransactionList.map { Self.shortTransaction($0.value) },
                eventID: stored.eventID,
                origin: stored.origin.rawValue
            )
        }
    }

    static func place(_ location: String?, districts: CustomsDistricts, language: Language) -> String? {
        guard let location else { return nil }
        for prefix in [CommerceEvents.customsLocationPrefix, CommerceEvents.portLocationPrefix] where location.hasPrefix(prefix) {
            let code = String(location.dropFirst(prefix.count))
            guard let city = districts.city(ofOffice: code) else { return code }
            return (language == .zh ? city.zh : city.en) + " (\(code))"
        }
        return GS1Identifier.canonicalDigitalLink(location) ?? location
    }

    static func shortTransaction(_ value: String) -> String {
        for (prefix, label) in [(TraceKey.orderPrefix, "order "), (TraceKey.waybillPrefix, "waybill "), (TraceKey.inventoryPrefix, "inventory ")]
        where value.hasPrefix(prefix) {
            return label + value.dropFirst(prefix.count)
        }
        return value
    }

    /// Plain language, one line per event.
    public func text(language: Language) -> String {
        guard !entries.isEmpty else {
            return language == .zh ? "未找到 \(id) 的溯源记录。\n" : "No provenance found for \(id).\n"
        }
        var out = language == .zh ? "\(id) 的溯源记录：\n" : "Provenance of \(id):\n"
        for entry in entries {
            var line = "  " + entry.time.format("yyyy-MM-dd HH:mm") + " " + EPCISEvent.offsetText(entry.time.utcOffsetSeconds) + "  " + entry.stepLabel
            if let place = entry.place { line += language == .zh ? "，地点 \(place)" : " at \(place)" }
            if !entry.transactions.isEmpty { line += " [" + entry.transactions.joined(separator: ", ") + "]" }
            out += line + "\n"
        }
        return out
    }

    public func json() -> OrderedJSON {
        .object([
            .init("id", .string(id)),
            .init("events", .array(entries.map { entry in
                var members: [OrderedJSON.Member] = [
                    .init("time", .string(entry.time.iso8601)),
                    .init("step", .string(entry.step)),
                    .init("label", .string(entry.stepLabel)),
                ]
                if let disposition = entry.disposition { members.append(.init("disposition", .string(disposition))) }
                if let place = entry.place { members.append(.init("place", .string(place))) }
                members.append(.init("products", .array(entry.products.map { .string($0) })))
                members.append(.init("transactions", .array(entry.transactions.map { .string($0) })))
                members.append(.init("eventID", .string(entry.eventID)))
                members.append(.init("recordedBy", .string(entry.origin)))
                return .object(members)
            })),
        ])
    }
}
