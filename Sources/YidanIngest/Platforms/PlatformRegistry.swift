public import Foundation
import YidanCore

/// Every platform mapping in `Mappings/platforms/*.yaml`, compiled once.
///
/// `detect` recognises a payload by the shape rules of the mapping files;
/// `extract` turns one payload (or the several API responses of one order)
/// into `PlatformOrder`s, each value with the path it came from.
public struct PlatformRegistry: Sendable {
    let mappings: [PlatformMapping]

    /// Reads `directory/*.yaml` (the `Mappings/platforms` folder) and the country
    /// table beside it (`directory/../tables/country.csv`).
    public init(directory: URL) throws {
        let countries = try CountryCodes(table: CSVTable(
            contentsOf: directory.deletingLastPathComponent().appendingPathComponent("tables/country.csv"),
            name: "Mappings/tables/country.csv"
        ))
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            throw YidanError(.configuration, "cannot list the platform mappings in \(directory.lastPathComponent)/", cause: error)
        }
        var mappings: [PlatformMapping] = []
        for name in names {
            let text: String
            do {
                text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            } catch {
                throw YidanError(.configuration, "cannot read Mappings/platforms/\(name)", cause: error)
            }
            let mapping = try PlatformMappingCompiler(file: name, countries: countries).compile(yaml: text)
            guard !mappings.contains(where: { $0.platform == mapping.platform }) else {
                throw YidanError(.configuration, "Mappings/platforms/\(name): platform \(mapping.platform) is described twice")
            }
            mappings.append(mapping)
        }
        guard !mappings.isEmpty else {
            throw YidanError(.configuration, "no platform mappings (*.yaml) in \(directory.path)")
        }
        self.mappings = mappings
    }

    /// The platform names, sorted.
    public var platforms: [String] { mappings.map(\.platform) }

    /// The one platform whose order shapes the document matches; nil when none
    /// or several do (see `candidates`).
    public func detect(_ document: JSONValue) -> String? {
        let found = candidates(document)
        return found.count == 1 ? found[0] : nil
    }

    /// Every platform with a shape the document matches.
    public func candidates(_ document: JSONValue) -> [String] {
        mappings.filter { $0.shape(of: document) != nil }.map(\.platform)
    }

    /// The orders in `documents`. Several documents are separate API responses of
    /// one order (order + transactions, order + items + address); a list payload
    /// yields one `PlatformOrder` per order. `platform` overrides detection.
    ///
    /// - Throws: `YidanError(.invalidOrder)` when a document is not an order of a
    ///   known platform (with the reason), `ValidationFailure` naming every value
    ///   a conversion refused by its payload path.
    public func extract(_ documents: [JSONValue], platform: String? = nil) throws -> [PlatformOrder] {
        guard !documents.isEmpty else { throw YidanError(.invalidOrder, "no document to read an order from") }
        let mapping = try self.mapping(for: documents, named: platform)
        var primaries: [(document: JSONValue, shape: PlatformMapping.Shape)] = []
        var parts: [String: JSONValue] = [:]
        for (index, document) in documents.enumerated() {
            if let shape = mapping.shape(of: document) {
                primaries.append((document, shape))
            } else if let part = mapping.documents.first(where: { $0.when.holds(in: .root(document, platform: mapping.platform)) }) {
                guard parts[part.name] == nil else {
                    throw YidanError(.invalidOrder, "two \(mapping.platform) \(part.name) documents were given for one order")
                }
                parts[part.name] = document
            } else {
                throw Self.notAnOrder(document, mapping: mapping, position: documents.count > 1 ? index + 1 : nil)
            }
        }
        guard !primaries.isEmpty else {
            throw YidanError(.invalidOrder, "the documents hold \(mapping.platform) \(parts.keys.sorted().joined(separator: ", ")) but no order")
        }
        guard parts.isEmpty || primaries.count == 1 else {
            throw YidanError(.invalidOrder, "\(primaries.count) \(mapping.platform) order documents were given with \(parts.keys.sorted().joined(separator: ", ")): give one order with its parts")
        }
        var orders: [PlatformOrder] = []
        var issues: [FieldIssue] = []
        for primary in primaries {
            for found in primary.shape.orders.matches(in: primary.document, at: "") {
                guard case .object = found.value else {
                    throw YidanError(.invalidOrder, "\(mapping.platform) \(primary.shape.name): \(found.pointer.isEmpty ? "the document" : found.pointer) is \(found.value.typeName), not an order object")
                }
                let scope = ExtractionScope(platform: mapping.platform, order: found, documents: parts)
                try mapping.checkSameOrder(scope)
                let (order, orderIssues) = mapping.extractOrder(in: scope, shape: primary.shape)
                orders.append(order)
                issues += orderIssues
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        return orders
    }

    private func mapping(for documents: [JSONValue], named platform: String?) throws -> PlatformMapping {
        if let platform {
            guard let mapping = mappings.first(where: { $0.platform == platform }) else {
                throw YidanError(.invalidOrder, "unknown platform \(platform) (known: \(platforms.joined(separator: ", ")))")
            }
            return mapping
        }
        var detected: Set<String> = []
        for document in documents {
            let found = candidates(document)
            if found.count > 1 {
                throw YidanError(.invalidOrder, "the payload matches the order shapes of several platforms (\(found.joined(separator: ", "))): name the platform")
            }
            detected.formUnion(found)
        }
        guard detected.count <= 1 else {
            throw YidanError(.invalidOrder, "the documents are orders of different platforms (\(detected.sorted().joined(separator: ", "))): give one order at a time")
        }
        if let name = detected.first, let mapping = mappings.first(where: { $0.platform == name }) { return mapping }
        // Not an order anywhere: a platform's own refusal explains best what the document is.
        for mapping in mappings {
            if let refusal = mapping.refusals.first(where: { $0.when.holds(in: .root(documents[0], platform: mapping.platform)) }) {
                throw YidanError(.invalidOrder, "not an order: the payload is \(refusal.message)")
            }
        }
        throw YidanError(.invalidOrder, "not an order: the payload matches no order shape of \(platforms.joined(separator: ", ")) (Mappings/platforms/*.yaml shapes)")
    }

    private static func notAnOrder(_ document: JSONValue, mapping: PlatformMapping, position: Int?) -> YidanError {
        let which = position.map { "document \($0)" } ?? "the payload"
        if let refusal = mapping.refusals.first(where: { $0.when.holds(in: .root(document, platform: mapping.platform)) }) {
            return YidanError(.invalidOrder, "not an order: \(which) is \(refusal.message)")
        }
        let known = mapping.documents.map(\.name)
        return YidanError(.invalidOrder, "not an order: \(which) matches no \(mapping.platform) order shape\(known.isEmpty ? "" : " nor a part of an order (\(known.joined(separator: ", ")))")")
    }
}

extension ExtractionScope {
    /// A whole document as the scope (for detection and document classification).
    static func root(_ document: JSONValue, platform: String) -> ExtractionScope {
        ExtractionScope(platform: platform, order: (document, ""), documents: [:])
    }
}
