import Foundation
import YidanCore

/// EPCIS 2.0 JSON-LD → events. Unknown fields without a namespace prefix are
/// refused (a typo must not silently drop data); prefixed ones are user extensions.
enum EPCISJSONReader {
    static let knownFields: Set<String> = [
        "type", "eventID", "eventTime", "eventTimeZoneOffset", "recordTime", "action", "parentID", "epcList", "childEPCs",
        "inputEPCList", "outputEPCList", "quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList",
        "transformationID", "bizStep", "disposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList",
        "destinationList", "ilmd", "sensorElementList", "certificationInfo", "errorDeclaration", "@context",
        "persistentDisposition",
    ]

    static func events(from data: Data, issues: inout [FieldIssue]) throws -> [(pointer: String, event: EPCISEvent)] {
        let document: OrderedJSON
        do {
            document = try OrderedJSON.parse(data)
        } catch let error as YidanError {
            issues.append(FieldIssue(pointer: "", value: nil, rule: error.message))
            return []
        }
        var namespaces: [String: String] = [:]
        if case let .array(contexts)? = document["@context"] {
            for case let .object(members) in contexts {
                for member in members { if let uri = member.value.stringValue { namespaces[member.key] = uri } }
            }
        }
        // A bare event, a document with eventList, or one with a single `event`.
        let list: [OrderedJSON]
        let base: String
        if document["type"]?.stringValue.flatMap(EPCISEvent.Kind.init(rawValue:)) != nil {
            list = [document]
            base = ""
        } else if case let .array(items)? = document["epcisBody"]?["eventList"] {
            list = items
            base = "/epcisBody/eventList/"
        } else if let single = document["epcisBody"]?["event"] {
            list = [single]
            base = "/epcisBody/event"
        } else {
            issues.append(FieldIssue(pointer: "/epcisBody/eventList", value: nil, rule: "is required (an EPCIS 2.0 document)"))
            return []
        }
        var events: [(pointer: String, event: EPCISEvent)] = []
        for (index, item) in list.enumerated() {
            let pointer = base.hasSuffix("/") ? base + String(index) : base
            if let event = event(item, at: pointer, namespaces: namespaces, issues: &issues) { events.append((pointer, event)) }
        }
        return events
    }

    static func event(_ json: OrderedJSON, at pointer: String, namespaces: [String: String], issues: inout [FieldIssue]) -> EPCISEvent? {
        let before = issues.count
        guard case .object = json else {
            issues.append(FieldIssue(pointer: pointer, value: nil, rule: "must be an object"))
            return nil
        }
        guard let typeText = json["type"]?.stringValue, let kind = EPCISEvent.Kind(rawValue: typeText) else {
            issues.append(FieldIssue(pointer: pointer + "/type", value: json["type"]?.scalarText, rule: "must be ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or AssociationEvent"))
            return nil
        }
        guard let timeText = json["eventTime"]?.stringValue, let time = ZonedDateTime(iso8601: timeText) else {
            issues.append(FieldIssue(pointer: pointer + "/eventTime", value: json["eventTime"]?.scalarText, rule: "is required: an ISO 8601 date-time with a zone"))
            return nil
        }
        let offset = json["eventTimeZoneOffset"]?.stringValue
        if offset.map(EPCISValidation.isOffset) != true {
            issues.append(FieldIssue(pointer: pointer + "/eventTimeZoneOffset", value: offset, rule: "is required, like +08:00"))
        }
        var event = EPCISEvent(kind: kind, eventTime: time, eventTimeText: timeText, eventTimeZoneOffset: offset ?? "")
        event.namespaces = namespaces
        for member in json.members {
            let path = pointer + "/" + member.key
            let value = member.value
            func text() -> String? {
                guard let text = value.stringValue, !text.isEmpty else {
                    issues.append(FieldIssue(pointer: path, value: value.scalarText, rule: "must be a non-empty string"))
                    return nil
                }
                return text
            }
            switch member.key {
            case "type", "eventTime", "eventTimeZoneOffset", "@context", "errorDeclaration": break
            case "eventID": event.declaredEventID = text()
            case "recordTime":
                if let raw = text() {
                    event.recordTime = ZonedDateTime(iso8601: raw)
                    if event.recordTime == nil { issues.append(FieldIssue(pointer: path, value: raw, rule: "must be an ISO 8601 date-time with a zone")) }
                }
            case "action":
                if let raw = text() {
                    event.action = EPCISEvent.Action(rawValue: raw)
                    if event.action == nil { issues.append(FieldIssue(pointer: path, value: raw, rule: "must be ADD, OBSERVE or DELETE")) }
                }
            case "parentID": event.parentID = text()
            case "transformationID": event.transformationID = text()
            case "bizStep": event.bizStep = text()
            case "disposition": event.disposition = text()
            case "certificationInfo": event.certificationInfo = value.scalarText
            case "epcList": event.epcList = strings(value, at: path, issues: &issues)
            case "childEPCs": event.childEPCs = strings(value, at: path, issues: &issues)
            case "inputEPCList": event.inputEPCList = strings(value, at: path, issues: &issues)
            case "outputEPCList": event.outputEPCList = strings(value, at: path, issues: &issues)
            case "quantityList": event.quantityList = quantities(value, at: path, issues: &issues)
            case "childQuantityList": event.childQuantityList = quantities(value, at: path, issues: &issues)
            case "inputQuantityList": event.inputQuantityList = quantities(value, at: path, issues: &issues)
            case "outputQuantityList": event.outputQuantityList = quantities(value, at: path, issues: &issues)
            case "readPoint", "bizLocation":
                guard let id = value["id"]?.stringValue, !id.isEmpty else {
                    issues.append(FieldIssue(pointer: path + "/id", value: nil, rule: "is required"))
                    continue
                }
                if member.key == "readPoint" { event.readPoint = id } else { event.bizLocation = id }
            case "bizTransactionList": event.bizTransactionList = references(value, valueKey: "bizTransaction", at: path, issues: &issues)
            case "sourceList": event.sourceList = references(value, valueKey: "source", at: path, issues: &issues)
            case "destinationList": event.destinationList = references(value, valueKey: "destination", at: path, issues: &issues)
            case "ilmd": event.ilmd = value
            case "sensorElementList": event.sensorElementList = value
            case "persistentDisposition": event.extensions.append((member.key, value))
            default:
                if member.key.contains(":") {
                    event.extensions.append((member.key, value))
                } else {
                    issues.append(FieldIssue(pointer: path, value: nil, rule: "is not an EPCIS 2.0 field (user extensions need a namespace prefix)"))
                }
            }
        }
        issues += EPCISValidation.structuralIssues(event, at: pointer)
        return issues.count == before ? event : nil
    }

    static func strings(_ value: OrderedJSON, at path: String, issues: inout [FieldIssue]) -> [String] {
        guard case let .array(items) = value else {
            issues.append(FieldIssue(pointer: path, value: nil, rule: "must be an array of URIs"))
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let text = item.stringValue, !text.isEmpty else {
                issues.append(FieldIssue(pointer: "\(path)/\(index)", value: item.scalarText, rule: "must be a URI string"))
                return nil
            }
            return text
        }
    }

    static func quantities(_ value: OrderedJSON, at path: String, issues: inout [FieldIssue]) -> [QuantityElement] {
        guard case let .array(items) = value else {
            issues.append(FieldIssue(pointer: path, value: nil, rule: "must be an array of quantity elements"))
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let epcClass = item["epcClass"]?.stringValue, !epcClass.isEmpty else {
                issues.append(FieldIssue(pointer: "\(path)/\(index)/epcClass", value: nil, rule: "is required"))
                return nil
            }
            var quantity: Decimal?
            if let raw = item["quantity"] {
                guard case let .number(text) = raw, let parsed = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")), parsed >= 0 else {
                    issues.append(FieldIssue(pointer: "\(path)/\(index)/quantity", value: raw.scalarText, rule: "must be a non-negative number"))
                    return nil
                }
                quantity = parsed
            }
            return QuantityElement(epcClass: epcClass, quantity: quantity, uom: item["uom"]?.stringValue)
        }
    }

    static func references(_ value: OrderedJSON, valueKey: String, at path: String, issues: inout [FieldIssue]) -> [TypedReference] {
        guard case let .array(items) = value else {
            issues.append(FieldIssue(pointer: path, value: nil, rule: "must be an array"))
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let text = item[valueKey]?.stringValue, !text.isEmpty else {
                issues.append(FieldIssue(pointer: "\(path)/\(index)/\(valueKey)", value: nil, rule: "is required"))
                return nil
            }
            return TypedReference(type: item["type"]?.stringValue, value: text)
        }
    }
}

/// Events → EPCIS 2.0 JSON-LD objects, standard fields first, in the standard's order.
enum EPCISJSONWriter {
    static func event(_ event: EPCISEvent) -> OrderedJSON {
        var members: [OrderedJSON.Member] = [
            .init("type", .string(event.kind.rawValue)),
            .init("eventID", .string(EventHash.id(event))),
            .init("eventTime", .string(event.eventTimeText)),
            .init("eventTimeZoneOffset", .string(event.eventTimeZoneOffset)),
        ]
        if let recordTime = event.recordTime { members.append(.init("recordTime", .string(recordTime.iso8601))) }
        func add(_ key: String, _ value: String?) { if let value { members.append(.init(key, .string(value))) } }
        func add(_ key: String, _ list: [String]) { if !list.isEmpty { members.append(.init(key, .array(list.map { .string($0) }))) } }
        func add(_ key: String, _ list: [QuantityElement]) {
            guard !list.isEmpty else { return }
            members.append(.init(key, .array(list.map { element in
                var fields: [OrderedJSON.Member] = [.init("epcClass", .string(element.epcClass))]
                if let quantity = element.quantity { fields.append(.init("quantity", .number(Money.format(quantity)))) }
                if let uom = element.uom { fields.append(.init("uom", .string(uom))) }
                return .object(fields)
            })))
        }
        func add(_ key: String, _ valueKey: String, _ list: [TypedReference]) {
            guard !list.isEmpty else { return }
            members.append(.init(key, .array(list.map { item in
                .object((item.type.map { [OrderedJSON.Member("type", .string($0))] } ?? []) + [.init(valueKey, .string(item.value))])
            })))
        }
        add("parentID", event.parentID)
        add("epcList", event.epcList)
        add("childEPCs", event.childEPCs)
        add("inputEPCList", event.inputEPCList)
        add("outputEPCList", event.outputEPCList)
        add("quantityList", event.quantityList)
        add("childQuantityList", event.childQuantityList)
        add("inputQuantityList", event.inputQuantityList)
        add("outputQuantityList", event.outputQuantityList)
        add("action", event.action?.rawValue)
        add("transformationID", event.transformationID)
        add("bizStep", event.bizStep)
        add("disposition", event.disposition)
        if let readPoint = event.readPoint { members.append(.init("readPoint", .object([.init("id", .string(readPoint))]))) }
        if let bizLocation = event.bizLocation { members.append(.init("bizLocation", .object([.init("id", .string(bizLocation))]))) }
        add("bizTransactionList", "bizTransaction", event.bizTransactionList)
        add("sourceList", "source", event.sourceList)
        add("destinationList", "destination", event.destinationList)
        add("certificationInfo", event.certificationInfo)
        if let ilmd = event.ilmd { members.append(.init("ilmd", ilmd)) }
        if let sensors = event.sensorElementList { members.append(.init("sensorElementList", sensors)) }
        for (key, value) in event.extensions { members.append(.init(key, value)) }
        return .object(members)
    }
}
