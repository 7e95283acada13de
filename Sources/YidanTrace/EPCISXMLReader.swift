import Foundation
import YidanCore
import YidanXML

/// EPCIS 2.0 XML (`urn:epcglobal:epcis:xsd:2`) → events, through yidan's
/// hardened libxml2 parse (no DTD, no entities, no network). Problems are
/// reported by the XPath of the element.
enum EPCISXMLReader {
    static let epcisNamespace = "urn:epcglobal:epcis:xsd:2"

    static func events(from data: Data, issues: inout [FieldIssue]) throws -> [(pointer: String, event: EPCISEvent)] {
        let document: XMLDocument
        do {
            document = try XMLDocument.parse(data)
        } catch let error as YidanError {
            issues.append(FieldIssue(pointer: "/", value: nil, rule: error.message))
            return []
        }
        guard let root = document.root, root.localName == "EPCISDocument" else {
            issues.append(FieldIssue(pointer: "/", value: nil, rule: "root element must be EPCISDocument"))
            return []
        }
        guard let list = root.firstChild("EPCISBody")?.firstChild("EventList") else {
            issues.append(FieldIssue(pointer: root.path + "/EPCISBody/EventList", value: nil, rule: "is required"))
            return []
        }
        var events: [(pointer: String, event: EPCISEvent)] = []
        for element in list.elementChildren {
            // EPCIS 1.x wrapped newer event types in <extension>; accept both.
            let node = element.localName == "extension" ? (element.elementChildren.first ?? element) : element
            if let event = event(node, issues: &issues) { events.append((node.path, event)) }
        }
        return events
    }

    static func event(_ node: XMLNode, issues: inout [FieldIssue]) -> EPCISEvent? {
        let before = issues.count
        guard let kind = EPCISEvent.Kind(rawValue: node.localName) else {
            issues.append(FieldIssue(pointer: node.path, value: node.localName, rule: "is not an EPCIS 2.0 event type"))
            return nil
        }
        let timeText = trimmed(node.firstChild("eventTime")?.text)
        guard let timeText, let time = ZonedDateTime(iso8601: timeText) else {
            issues.append(FieldIssue(pointer: node.path + "/eventTime", value: timeText, rule: "is required: an ISO 8601 date-time with a zone"))
            return nil
        }
        let offset = trimmed(node.firstChild("eventTimeZoneOffset")?.text)
        if offset.map(EPCISValidation.isOffset) != true {
            issues.append(FieldIssue(pointer: node.path + "/eventTimeZoneOffset", value: offset, rule: "is required, like +08:00"))
        }
        var event = EPCISEvent(kind: kind, eventTime: time, eventTimeText: timeText, eventTimeZoneOffset: offset ?? "")
        for child in node.elementChildren {
            let text = trimmed(child.text)
            if let uri = child.namespaceURI, uri != epcisNamespace {
                let prefix = child.prefix ?? "ns\(event.namespaces.count + 1)"
                event.namespaces[prefix] = uri
                event.extensions.append((prefix + ":" + child.localName, json(child, namespaces: &event.namespaces)))
                continue
            }
            switch child.localName {
            case "eventTime", "eventTimeZoneOffset", "errorDeclaration": break
            case "eventID": event.declaredEventID = text
            case "recordTime":
                event.recordTime = text.flatMap(ZonedDateTime.init(iso8601:))
                if event.recordTime == nil { issues.append(FieldIssue(pointer: child.path, value: text, rule: "must be an ISO 8601 date-time with a zone")) }
            case "action":
                event.action = text.flatMap(EPCISEvent.Action.init(rawValue:))
                if event.action == nil { issues.append(FieldIssue(pointer: child.path, value: text, rule: "must be ADD, OBSERVE or DELETE")) }
            case "parentID": event.parentID = text
            case "transformationID": event.transformationID = text
            case "bizStep": event.bizStep = text
            case "disposition": event.disposition = text
            case "certificationInfo": event.certificationInfo = text
            case "epcList": event.epcList = epcs(child)
            case "childEPCs": event.childEPCs = epcs(child)
            case "inputEPCList": event.inputEPCList = epcs(child)
            case "outputEPCList": event.outputEPCList = epcs(child)
            case "quantityList": event.quantityList = quantities(child, issues: &issues)
            case "childQuantityList": event.childQuantityList = quantities(child, issues: &issues)
            case "inputQuantityList": event.inputQuantityList = quantities(child, issues: &issues)
            case "outputQuantityList": event.outputQuantityList = quantities(child, issues: &issues)
            case "readPoint": event.readPoint = trimmed(child.firstChild("id")?.text)
            case "bizLocation": event.bizLocation = trimmed(child.firstChild("id")?.text)
            case "bizTransactionList": event.bizTransactionList = references(child)
            case "sourceList": event.sourceList = references(child)
            case "destinationList": event.destinationList = references(child)
            case "ilmd": event.ilmd = json(child, namespaces: &event.namespaces)
            case "sensorElementList":
                event.sensorElementList = .array(child.elementChildren.map { json($0, namespaces: &event.namespaces) })
            case "extension":
                for inner in child.elementChildren {
                    event.extensions.append((inner.localName, json(inner, namespaces: &event.namespaces)))
                }
            default:
                issues.append(FieldIssue(pointer: child.path, value: nil, rule: "is not an EPCIS 2.0 field"))
            }
        }
        issues += EPCISValidation.structuralIssues(event, at: node.path)
        return issues.count == before ? event : nil
    }

    static func trimmed(_ text: String?) -> String? {
        let value = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    static func epcs(_ list: XMLNode) -> [String] {
        list.elementChildren.compactMap { trimmed($0.text) }
    }

    static func quantities(_ list: XMLNode, issues: inout [FieldIssue]) -> [QuantityElement] {
        list.elementChildren.compactMap { element in
            guard let epcClass = trimmed(element.firstChild("epcClass")?.text) else {
                issues.append(FieldIssue(pointer: element.path + "/epcClass", value: nil, rule: "is required"))
                return nil
            }
            var quantity: Decimal?
            if let text = trimmed(element.firstChild("quantity")?.text) {
                quantity = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
                if quantity == nil || Double(text) == nil {
                    issues.append(FieldIssue(pointer: element.path + "/quantity", value: text, rule: "must be a number"))
                    return nil
                }
            }
            return QuantityElement(epcClass: epcClass, quantity: quantity, uom: trimmed(element.firstChild("uom")?.text))
        }
    }

    static func references(_ list: XMLNode) -> [TypedReference] {
        list.elementChildren.compactMap { element in
            trimmed(element.text).map { TypedReference(type: element.attribute("type"), value: $0) }
        }
    }

    /// An element's content as JSON: text for a leaf, an object of children
    /// (repeated names become arrays) otherwise; namespaced names as `prefix:local`.
    static func json(_ element: XMLNode, namespaces: inout [String: String]) -> OrderedJSON {
        let children = element.elementChildren
        guard !children.isEmpty else { return .string(trimmed(element.text) ?? "") }
        var members: [OrderedJSON.Member] = []
        for child in children {
            var key = child.localName
            if let uri = child.namespaceURI, uri != epcisNamespace {
                let prefix = child.prefix ?? "ns\(namespaces.count + 1)"
                namespaces[prefix] = uri
                key = prefix + ":" + key
            }
            let value = json(child, namespaces: &namespaces)
            if let index = members.firstIndex(where: { $0.key == key }) {
                if case let .array(items) = members[index].value {
                    members[index].value = .array(items + [value])
                } else {
                    members[index].value = .array([members[index].value, value])
                }
            } else {
                members.append(.init(key, value))
            }
        }
        return .object(members)
    }
}
