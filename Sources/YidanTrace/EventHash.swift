import Crypto
import Foundation
import YidanCore

/// The EPCIS 2.0 event hash (`ni:///sha-256;<hex>?ver=CBV2.0`), the algorithm of
/// GS1's reference implementation (PyPI `epcis-event-hash-generator` 1.9):
///
/// 1. a pre-hash string: `eventType=…`, then the standard fields in a fixed
///    order as `name=value` with no separators (lists named once, their
///    entries sorted), then every other field (business transactions, sources,
///    destinations, ILMD, user extensions) sorted, nested fields concatenated;
/// 2. values canonicalised: times to UTC with milliseconds, CBV terms and old
///    CBV URNs to `https://ref.gs1.org/cbv/…` web URIs, numbers without
///    trailing zeros, EPC URNs to canonical GS1 Digital Link URIs, user
///    namespace prefixes expanded (`{http://ns.example.com/epcis/}myField`);
/// 3. SHA-256 of the UTF-8 bytes, hex.
///
/// `recordTime`, `eventID` and `errorDeclaration` are not part of the hash.
public enum EventHash {
    public static func id(_ event: EPCISEvent) -> String {
        let digest = SHA256.hash(data: Data(preHashString(event).utf8))
        return "ni:///sha-256;" + Hex.lowercase(digest) + "?ver=CBV2.0"
    }

    public static func preHashString(_ event: EPCISEvent) -> String {
        let canon = ValueCanon(namespaces: event.namespaces)
        var out = "eventType=" + event.kind.rawValue
        out += "eventTime=" + canonicalTime(event.eventTimeText)
        out += field("eventTimeZoneOffset", event.eventTimeZoneOffset, canon)
        out += field("certificationInfo", event.certificationInfo, canon)
        out += field("parentID", event.parentID, canon)
        out += list("epcList", event.epcList.map { "epc=" + canon($0) })
        out += list("inputEPCList", event.inputEPCList.map { "epc=" + canon($0) })
        out += list("childEPCs", event.childEPCs.map { "epc=" + canon($0) })
        out += quantities("quantityList", event.quantityList, canon)
        out += quantities("childQuantityList", event.childQuantityList, canon)
        out += quantities("inputQuantityList", event.inputQuantityList, canon)
        out += list("outputEPCList", event.outputEPCList.map { "epc=" + canon($0) })
        out += quantities("outputQuantityList", event.outputQuantityList, canon)
        out += field("action", event.action?.rawValue, canon)
        out += field("transformationID", event.transformationID, canon)
        out += field("bizStep", event.bizStep.map { CBVTerm.expand($0, kind: .bizStep) }, canon)
        out += field("disposition", event.disposition.map { CBVTerm.expand($0, kind: .disposition) }, canon)
        if let readPoint = event.readPoint { out += "readPoint" + "id=" + canon(readPoint) }
        if let bizLocation = event.bizLocation { out += "bizLocation" + "id=" + canon(bizLocation) }
        if let sensors = event.sensorElementList { out += sensorPart(sensors, canon) }

        // Fields outside the fixed order: sorted, each rendered generically.
        var rest: [String] = []
        rest.append(references("bizTransactionList", "bizTransaction", event.bizTransactionList, .businessTransactionType, canon))
        rest.append(references("sourceList", "source", event.sourceList, .sourceDestinationType, canon))
        rest.append(references("destinationList", "destination", event.destinationList, .sourceDestinationType, canon))
        if let ilmd = event.ilmd { rest.append(generic(key: "ilmd", ilmd, canon).joined()) }
        for (key, value) in event.extensions {
            rest.append(contentsOf: generic(key: canon.expandKey(key), value, canon))
        }
        return out + rest.filter { !$0.isEmpty }.sorted(by: byteOrder).joined()
    }

    /// Python sorts strings by code point; Swift's `<` on String compares
    /// grapheme clusters, so compare the scalar sequences.
    static func byteOrder(_ lhs: String, _ rhs: String) -> Bool {
        lhs.unicodeScalars.lexicographicallyPrecedes(rhs.unicodeScalars) { $0.value < $1.value }
    }

    static func field(_ name: String, _ value: String?, _ canon: ValueCanon) -> String {
        guard let value else { return "" }
        let text = canon(value.trimmingCharacters(in: .whitespacesAndNewlines))
        return text.isEmpty ? "" : name + "=" + text
    }

    static func list(_ name: String, _ entries: [String]) -> String {
        entries.isEmpty ? "" : name + entries.sorted(by: byteOrder).joined()
    }

    static func quantities(_ name: String, _ elements: [QuantityElement], _ canon: ValueCanon) -> String {
        list(name, elements.map { element in
            var text = "quantityElement" + "epcClass=" + canon(element.epcClass)
            if let quantity = element.quantity { text += "quantity=" + canon(Money.format(quantity)) }
            if let uom = element.uom { text += "uom=" + canon(uom) }
            return text
        })
    }

    static func references(
        _ listName: String, _ valueName: String, _ items: [TypedReference], _ kind: CBVTerm.Kind, _ canon: ValueCanon
    ) -> String {
        guard !items.isEmpty else { return "" }
        let entries = items.map { item in
            (item.type.map { "type=" + canon(CBVTerm.expand($0, kind: kind)) } ?? "") + valueName + "=" + canon(item.value)
        }
        return listName + (entries.count > 1 ? entries.sorted(by: byteOrder) : entries).joined()
    }

    /// A JSON member as the reference's generic rendering: `key=value` for
    /// scalars, `key` + sorted children for objects, one sibling per array item.
    static func generic(key: String, _ value: OrderedJSON, _ canon: ValueCanon) -> [String] {
        switch value {
        case let .array(items):
            return items.flatMap { generic(key: key, $0, canon) }
        case let .object(members):
            let children = members.flatMap { generic(key: canon.expandKey($0.key), $0.value, canon) }
            return [key + (children.count > 1 ? children.sorted(by: byteOrder) : children).joined()]
        case .null:
            return [key + "=None"]
        case let .bool(flag):
            return [key + "=" + (flag ? "True" : "False")]
        case let .string(text), let .number(text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return [key + (trimmed.isEmpty ? "" : "=" + canon(trimmed))]
        }
    }

    static let sensorMetadataOrder = ["time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"]
    static let sensorReportOrder = [
        "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "time", "microorganism",
        "chemicalSubstance", "value", "component", "stringValue", "booleanValue", "hexBinaryValue", "uriValue", "minValue",
        "maxValue", "meanValue", "sDev", "percRank", "percValue", "uom", "coordinateReferenceSystem",
    ]

    /// Sensor elements: metadata and reports with their fields in the standard order.
    static func sensorPart(_ sensors: OrderedJSON, _ canon: ValueCanon) -> String {
        guard case let .array(elements) = sensors, !elements.isEmpty else { return "" }
        func ordered(_ name: String, _ object: OrderedJSON, _ order: [String]) -> String {
            var text = ""
            for key in order {
                guard let scalar = object[key]?.scalarText else { continue }
                let value = key.lowercased().contains("time") ? canonicalTime(scalar)
                    : canon(key == "type" || key == "exception" || key == "component" ? CBVTerm.expandSensor(scalar) : scalar)
                text += key + "=" + value
            }
            return text.isEmpty ? "" : name + text
        }
        return list("sensorElementList", elements.map { element in
            var text = "sensorElement"
            if let metadata = element["sensorMetadata"] { text += ordered("sensorMetadata", metadata, sensorMetadataOrder) }
            var reports: [OrderedJSON] = []
            if case let .array(items)? = element["sensorReport"] { reports = items }
            text += reports.map { ordered("sensorReport", $0, sensorReportOrder) }.sorted(by: byteOrder).joined()
            return text
        })
    }

    /// `2005-04-03T20:33:31.116000-06:00` → `2005-04-04T02:33:31.116Z`: UTC,
    /// microseconds rounded half-to-even to milliseconds (as Python's `round`).
    public static func canonicalTime(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let zoned = ZonedDateTime(iso8601: trimmed) else { return trimmed }
        var micros = 0
        if let dot = trimmed.firstIndex(of: "."), trimmed.distance(from: trimmed.startIndex, to: dot) == 19 {
            let digits = trimmed[trimmed.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            let six = String((digits + "000000").prefix(6))
            micros = Int(six) ?? 0
        }
        var seconds = Int64(zoned.instant.timeIntervalSince1970.rounded(.down))
        var millis = micros / 1000
        let remainder = micros % 1000
        if remainder > 500 || (remainder == 500 && millis % 2 == 1) { millis += 1 }
        if millis == 1000 { millis = 0; seconds += 1 }
        let utc = ZonedDateTime(instant: Date(timeIntervalSince1970: Double(seconds)), utcOffsetSeconds: 0)
        let ms = String(millis)
        return utc.format("yyyy-MM-ddTHH:mm:ss") + "." + String(repeating: "0", count: 3 - ms.count) + ms + "Z"
    }
}

/// Canonical form of one value: user prefixes expanded, old CBV URNs as web
/// URIs, numbers normalised, GS1 keys as canonical Digital Links.
struct ValueCanon {
    let namespaces: [String: String]

    func callAsFunction(_ raw: String) -> String {
        var text = raw
        if let colon = text.firstIndex(of: ":"), let uri = namespaces[String(text[..<colon])] {
            text = uri + text[text.index(after: colon)...]
        }
        text = CBVTerm.webVocabulary(text)
        text = Self.pythonNumber(text) ?? text
        return GS1Identifier.canonicalDigitalLink(text) ?? text
    }

    /// `example:myField` → `{http://ns.example.com/epcis/}myField`.
    func expandKey(_ key: String) -> String {
        guard let colon = key.firstIndex(of: ":"), let uri = namespaces[String(key[..<colon])] else { return key }
        return "{" + uri + "}" + key[key.index(after: colon)...]
    }

    /// A decimal number as Python prints `float(text)` (integral values without `.0`); nil when not a number.
    static func pythonNumber(_ text: String) -> String? {
        let allowed = Set("+-.eE0123456789")
        guard text.contains(where: \.isNumber), text.allSatisfy({ allowed.contains($0) }), let value = Double(text), value.isFinite else {
            return nil
        }
        if value == value.rounded(.towardZero) { return String(format: "%.0f", value) == "-0" ? "0" : String(format: "%.0f", value) }
        return "\(value)"
    }
}
