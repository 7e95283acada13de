public import Foundation
import YidanCore

/// The CBV 2.0 spellings of one term: bare (`shipping`), web URI
/// (`https://ref.gs1.org/cbv/BizStep-shipping`) and old URN
/// (`urn:epcglobal:cbv:bizstep:shipping`).
public enum CBVTerm {
    public enum Kind: String, Sendable, CaseIterable {
        case bizStep, disposition
        case businessTransactionType = "btt"
        case sourceDestinationType = "sdt"

        var webPrefix: String {
            switch self {
            case .bizStep: "https://ref.gs1.org/cbv/BizStep-"
            case .disposition: "https://ref.gs1.org/cbv/Disp-"
            case .businessTransactionType: "https://ref.gs1.org/cbv/BTT-"
            case .sourceDestinationType: "https://ref.gs1.org/cbv/SDT-"
            }
        }

        var urnPrefix: String {
            switch self {
            case .bizStep: "urn:epcglobal:cbv:bizstep:"
            case .disposition: "urn:epcglobal:cbv:disp:"
            case .businessTransactionType: "urn:epcglobal:cbv:btt:"
            case .sourceDestinationType: "urn:epcglobal:cbv:sdt:"
            }
        }
    }

    /// A bare term as its web URI (what JSON-LD expansion makes of it); URIs unchanged.
    public static func expand(_ value: String, kind: Kind) -> String {
        value.contains(":") ? value : kind.webPrefix + value
    }

    /// The bare term of any spelling; nil for a URI outside the CBV (a private vocabulary).
    public static func bare(_ value: String, kind: Kind) -> String? {
        if !value.contains(":") { return value }
        if value.hasPrefix(kind.webPrefix) { return String(value.dropFirst(kind.webPrefix.count)) }
        if value.hasPrefix(kind.urnPrefix) { return String(value.dropFirst(kind.urnPrefix.count)) }
        return nil
    }

    /// Sensor report types and the like live in the GS1 web vocabulary: a bare
    /// term is expanded; a compact `gs1:Humidity` stays as written (as the
    /// reference hash does: only bare strings are replaced by their expansion).
    static func expandSensor(_ value: String) -> String {
        value.contains(":") ? value : "https://gs1.org/voc/" + value
    }

    /// Old CBV URNs → web URIs (the hash's rule for every value).
    static func webVocabulary(_ text: String) -> String {
        guard text.hasPrefix("urn:epcglobal:cbv:") else { return text }
        for (urn, web) in [
            ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"), ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
            ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"), ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
            ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
        ] where text.hasPrefix(urn) {
            return web + text.dropFirst(urn.count)
        }
        return text
    }
}

/// `Mappings/tables/cbv-vocabulary.csv`: which CBV terms exist and how to say them.
public struct CBVVocabulary: Sendable {
    public struct Label: Sendable, Equatable {
        public var en: String
        public var zh: String
    }

    private var labels: [String: Label] = [:]

    public init(csv text: String) throws {
        let table = try CSVTable(csv: text, name: "cbv-vocabulary.csv")
        let kind = try table.requiredColumn(named: "kind")
        let term = try table.requiredColumn(named: "term")
        let en = try table.requiredColumn(named: "en")
        let zh = try table.requiredColumn(named: "zh")
        for record in table.records {
            guard CBVTerm.Kind(rawValue: record[kind]) != nil else {
                throw YidanError(.configuration, "cbv-vocabulary.csv line \(record.line): unknown kind '\(record[kind])'")
            }
            labels[record[kind] + "/" + record[term]] = Label(en: record[en], zh: record[zh])
        }
    }

    /// Reads the table from a `Mappings/` directory.
    public init(mappingsDirectory: URL) throws {
        let url = mappingsDirectory.appendingPathComponent("tables/cbv-vocabulary.csv")
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read \(url.path)", cause: error)
        }
        try self.init(csv: text)
    }

    /// True for a CBV term in any spelling, or for a URI outside the CBV (private vocabularies are allowed).
    public func accepts(_ value: String, kind: CBVTerm.Kind) -> Bool {
        guard let bare = CBVTerm.bare(value, kind: kind) else { return value.contains(":") }
        return labels[kind.rawValue + "/" + bare] != nil
    }

    /// The label of a CBV term in any spelling, or of a private URI the table lists (yidan's customs steps).
    public func label(_ value: String, kind: CBVTerm.Kind) -> Label? {
        guard let bare = CBVTerm.bare(value, kind: kind) else { return labels[kind.rawValue + "/" + value] }
        return labels[kind.rawValue + "/" + bare]
    }
}
