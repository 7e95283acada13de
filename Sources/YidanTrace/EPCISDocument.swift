public import Foundation
public import YidanCore

/// Reading EPCIS 2.0 capture documents (JSON-LD or XML) into events, and
/// writing events back as an EPCIS 2.0 JSON-LD document.
///
/// Reading checks every event and reports all problems together as a
/// `ValidationFailure` whose issues name the field (a JSON pointer, or an
/// XPath for XML), so a capture of N events is refused as a whole.
public enum EPCISDocument {
    public enum Format: String, Sendable { case json, xml }

    /// JSON-LD or XML, decided by the first non-blank character.
    public static func format(of data: Data) -> Format {
        let first = data.first { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }
        return first == UInt8(ascii: "<") ? .xml : .json
    }

    /// Every event of the document, validated. `vocabulary` (when given) also
    /// refuses bizStep/disposition/type terms that are not CBV terms or URIs.
    public static func events(from data: Data, vocabulary: CBVVocabulary? = nil) throws -> [EPCISEvent] {
        var issues: [FieldIssue] = []
        let located: [(pointer: String, event: EPCISEvent)]
        switch format(of: data) {
        case .json:
            located = try EPCISJSONReader.events(from: data, issues: &issues)
        case .xml:
            located = try EPCISXMLReader.events(from: data, issues: &issues)
        }
        if let vocabulary {
            for (pointer, event) in located {
                issues += EPCISValidation.vocabularyIssues(event, at: pointer, vocabulary: vocabulary)
            }
        }
        let events = located.map(\.event)
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        guard !events.isEmpty else {
            throw ValidationFailure(issues: [FieldIssue(pointer: "/epcisBody/eventList", value: nil, rule: "must hold at least one event")])
        }
        return events
    }

    /// The events as one EPCIS 2.0 JSON-LD document, each with yidan's event hash as its eventID.
    public static func jsonLD(_ events: [EPCISEvent], creationDate: ZonedDateTime) -> OrderedJSON {
        var namespaces: [String: String] = [:]
        for event in events { namespaces.merge(event.namespaces) { first, _ in first } }
        var context: [OrderedJSON] = [.string("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld")]
        if !namespaces.isEmpty {
            context.append(.object(namespaces.keys.sorted().map { .init($0, .string(namespaces[$0] ?? "")) }))
        }
        return .object([
            .init("@context", .array(context)),
            .init("type", .string("EPCISDocument")),
            .init("schemaVersion", .string("2.0")),
            .init("creationDate", .string(creationDate.iso8601)),
            .init("epcisBody", .object([.init("eventList", .array(events.map { EPCISJSONWriter.event($0) }))])),
        ])
    }
}

/// Checks shared by both readers: the what/when/why each event type needs.
enum EPCISValidation {
    static func structuralIssues(_ event: EPCISEvent, at pointer: String) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let needsAction: Bool = event.kind != .transformation
        if needsAction && event.action == nil {
            issues.append(FieldIssue(pointer: pointer + "/action", value: nil, rule: "is required for \(event.kind.rawValue) (ADD, OBSERVE or DELETE)"))
        }
        switch event.kind {
        case .object:
            if event.epcList.isEmpty && event.quantityList.isEmpty {
                issues.append(FieldIssue(pointer: pointer + "/epcList", value: nil, rule: "an ObjectEvent needs epcList or quantityList"))
            }
        case .aggregation, .association:
            if event.parentID == nil && event.action != .observe {
                issues.append(FieldIssue(pointer: pointer + "/parentID", value: nil, rule: "is required unless action is OBSERVE"))
            }
        case .transaction:
            if event.bizTransactionList.isEmpty {
                issues.append(FieldIssue(pointer: pointer + "/bizTransactionList", value: nil, rule: "a TransactionEvent needs a business transaction"))
            }
        case .transformation:
            if event.inputEPCList.isEmpty && event.inputQuantityList.isEmpty && event.outputEPCList.isEmpty
                && event.outputQuantityList.isEmpty && event.transformationID == nil {
                issues.append(FieldIssue(pointer: pointer + "/inputEPCList", value: nil, rule: "a TransformationEvent needs inputs or outputs"))
            }
        }
        for (name, list) in [("epcList", event.epcList), ("childEPCs", event.childEPCs), ("inputEPCList", event.inputEPCList), ("outputEPCList", event.outputEPCList)] {
            for (index, epc) in list.enumerated() where !isURI(epc) {
                issues.append(FieldIssue(pointer: "\(pointer)/\(name)/\(index)", value: epc, rule: "must be a URI (EPC URN or GS1 Digital Link)"))
            }
        }
        return issues
    }

    static func vocabularyIssues(_ event: EPCISEvent, at pointer: String, vocabulary: CBVVocabulary) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if let bizStep = event.bizStep, !vocabulary.accepts(bizStep, kind: .bizStep) {
            issues.append(FieldIssue(pointer: pointer + "/bizStep", value: bizStep, rule: "is not a CBV 2.0 bizStep term or a URI"))
        }
        if let disposition = event.disposition, !vocabulary.accepts(disposition, kind: .disposition) {
            issues.append(FieldIssue(pointer: pointer + "/disposition", value: disposition, rule: "is not a CBV 2.0 disposition term or a URI"))
        }
        for (index, transaction) in event.bizTransactionList.enumerated() {
            if let type = transaction.type, !vocabulary.accepts(type, kind: .businessTransactionType) {
                issues.append(FieldIssue(pointer: "\(pointer)/bizTransactionList/\(index)/type", value: type, rule: "is not a CBV 2.0 business transaction type or a URI"))
            }
        }
        return issues
    }

    static func isURI(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        return !text.contains(" ") && text[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    /// `+08:00` / `-05:30`.
    static func isOffset(_ text: String) -> Bool {
        let chars = Array(text)
        guard chars.count == 6, chars[0] == "+" || chars[0] == "-", chars[3] == ":",
              let hours = Int(String(chars[1...2])), let minutes = Int(String(chars[4...5])) else { return false }
        return hours <= 14 && minutes < 60
    }
}
