import Foundation
import Yams
import YidanCore

/// Reads one `Mappings/platforms/<platform>.yaml` into a `PlatformMapping`.
/// Unknown keys, field names, conversions and malformed paths stop loading,
/// with the file and line, so a typo never silently drops a field.
struct PlatformMappingCompiler {
    let file: String
    let countries: CountryCodes

    /// The normalized fields an order-level rule may fill (the assembler reads exactly these).
    static let orderFields: Set<String> = [
        "orderNo", "orderTime", "currency", "freight", "insurance", "discount", "note",
        "buyer.name", "buyer.idType", "buyer.idNumber", "buyer.phone", "buyer.registrationNo",
        "consignee.name", "consignee.phone", "consignee.address", "consignee.country", "consignee.district",
        "payment.transactionId", "payment.payTime", "payment.amount", "logistics.waybillNo",
    ]
    /// The fields an item rule may fill.
    static let itemFields: Set<String> = [
        "sku", "name", "qty", "unitPrice", "totalPrice", "currency", "barcode", "productId", "variantId",
    ]
    private static let topKeys: Set<String> = ["platform", "documents", "shapes", "refuse", "fields", "items"]
    private static let fieldKeys: Set<String> = [
        "path", "paths", "join", "sum", "time", "money", "decimal", "minor-units", "country", "strip-prefix", "abs", "const", "default",
    ]

    func compile(yaml text: String) throws -> PlatformMapping {
        let root: Node.Mapping
        do {
            guard let mapping = try Yams.compose(yaml: text)?.mapping else {
                throw YidanError(.configuration, "\(file) must be a mapping with platform, shapes, fields and items")
            }
            root = mapping
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.configuration, "\(file) is not valid YAML", cause: error)
        }
        try checkKeys(root, Self.topKeys, at: "top level")
        guard let platform = root["platform"]?.string, !platform.isEmpty else {
            throw YidanError(.configuration, "\(file): platform (the name orders carry, e.g. shopify) is required")
        }
        var documents: [PlatformMapping.DocumentRule] = []
        if let node = root["documents"] {
            guard let pairs = node.mapping else { throw failure(node, "documents must be a mapping of name: {when: …}") }
            for (key, value) in pairs {
                let name = key.string ?? ""
                guard let spec = value.mapping, let when = spec["when"] else { throw failure(value, "documents.\(name) needs when") }
                documents.append(.init(
                    name: name, when: try condition(when, at: "documents.\(name)"),
                    sameOrder: try SameOrderKey.compile(spec["same-order"], file: file, at: "documents.\(name)")
                ))
            }
        }
        guard let shapeList = root["shapes"]?.sequence, !shapeList.isEmpty else {
            throw YidanError(.configuration, "\(file): shapes (a list of {name, when, orders}) is required")
        }
        var shapes: [PlatformMapping.Shape] = []
        for node in shapeList {
            guard let spec = node.mapping, let name = spec["name"]?.string, let when = spec["when"], let orders = spec["orders"]?.string else {
                throw failure(node, "each shape needs name, when and orders")
            }
            try checkKeys(spec, ["name", "when", "orders", "fields", "items"], at: "shape \(name)")
            let own = try spec["fields"].map { try fieldRules($0, allowed: Self.orderFields, section: "shapes[\(name)].fields") } ?? []
            shapes.append(.init(
                name: name, when: try condition(when, at: "shape \(name)"), orders: try path(orders, at: spec["orders"]), fields: own,
                items: try spec["items"].map { try itemRule($0) }
            ))
        }
        var refusals: [PlatformMapping.Refusal] = []
        for node in root["refuse"]?.sequence ?? [] {
            guard let spec = node.mapping, let name = spec["name"]?.string, let when = spec["when"], let message = spec["message"]?.string else {
                throw failure(node, "each refuse entry needs name, when and message")
            }
            refusals.append(.init(name: name, when: try condition(when, at: "refuse \(name)"), message: message))
        }
        guard let fieldNode = root["fields"] else { throw YidanError(.configuration, "\(file): fields is required") }
        let fields = try fieldRules(fieldNode, allowed: Self.orderFields, section: "fields")
        var items: PlatformMapping.ItemRule?
        if let itemNode = root["items"] {
            items = try itemRule(itemNode)
        }
        return PlatformMapping(
            platform: platform, file: file, documents: documents, shapes: shapes, refusals: refusals, fields: fields, items: items
        )
    }

    private func itemRule(_ node: Node) throws -> PlatformMapping.ItemRule {
        guard let spec = node.mapping, let pathText = spec["path"]?.string, let fieldNode = spec["fields"] else {
            throw failure(node, "items needs path and fields")
        }
        try checkKeys(spec, ["path", "skip-when", "aggregate-by", "fields"], at: "items")
        var skips: [Condition] = []
        if let skipNode = spec["skip-when"] {
            let list = skipNode.sequence.map(Array.init) ?? [skipNode]
            skips = try list.map { try condition($0, at: "items.skip-when") }
        }
        let aggregate = spec["aggregate-by"]?.string
        if let aggregate, !Self.itemFields.contains(aggregate) {
            throw failure(node, "aggregate-by names \(aggregate), not an item field")
        }
        return .init(
            path: try path(pathText, at: spec["path"]), skipWhen: skips, aggregateBy: aggregate,
            fields: try fieldRules(fieldNode, allowed: Self.itemFields, section: "items.fields")
        )
    }

    private func fieldRules(_ node: Node, allowed: Set<String>, section: String) throws -> [FieldRule] {
        guard let pairs = node.mapping else { throw failure(node, "\(section) must be a mapping of field: rule") }
        var rules: [FieldRule] = []
        for (key, value) in pairs {
            let name = key.string ?? ""
            // freight.<label>[.currency] etc.: amounts converted one by one (ChargeComponents.swift).
            guard allowed.contains(name) || ChargeComponents.isComponentField(name) else {
                throw failure(key, "\(section).\(name) is not a normalized field (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            rules.append(try fieldRule(name, value, location: "\(file) \(section).\(name)"))
        }
        return rules
    }

    private func fieldRule(_ name: String, _ node: Node, location: String) throws -> FieldRule {
        if let text = node.string {
            return FieldRule(name: name, location: location, paths: [try path(text, at: node)], combine: .first, conversion: nil,
                             stripPrefix: nil, absolute: false, constant: nil, fallback: nil)
        }
        guard let spec = node.mapping else { throw failure(node, "\(location): expected a path or a mapping of options") }
        try checkKeys(spec, Self.fieldKeys, at: location)
        var paths: [PlatformPath] = []
        if let single = spec["path"] { paths.append(try path(single.string ?? "", at: single)) }
        for entry in spec["paths"]?.sequence ?? [] { paths.append(try path(entry.string ?? "", at: entry)) }
        let constant = spec["const"]?.string
        guard paths.isEmpty != (constant == nil) else {
            throw failure(node, "\(location): give path or paths, or const (not both)")
        }
        var combine = FieldRule.Combine.first
        if let separator = spec["join"]?.string { combine = .join(separator) }
        if try flag(spec, "sum", at: location) {
            guard case .first = combine else { throw failure(node, "\(location): join and sum exclude each other") }
            combine = .sum
        }
        var conversions: [ValueConversion] = []
        if let format = spec["time"] {
            guard let parsed = ValueConversion.TimeFormat(rawValue: format.string ?? "") else {
                throw failure(format, "\(location): time must be one of \(ValueConversion.TimeFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            conversions.append(.time(parsed))
        }
        if try flag(spec, "money", at: location) { conversions.append(.money) }
        if try flag(spec, "decimal", at: location) { conversions.append(.money) }
        if let digits = spec["minor-units"] {
            guard let count = digits.int, (0...4).contains(count) else { throw failure(digits, "\(location): minor-units must be 0 to 4") }
            conversions.append(.minorUnits(count))
        }
        if let form = spec["country"] {
            guard let parsed = ValueConversion.CountryForm(rawValue: form.string ?? "") else {
                throw failure(form, "\(location): country must be name, iso2 or iso3")
            }
            conversions.append(.country(parsed, countries))
        }
        guard conversions.count <= 1 else { throw failure(node, "\(location): at most one of time, money, decimal, minor-units, country") }
        return FieldRule(
            name: name, location: location, paths: paths, combine: combine, conversion: conversions.first,
            stripPrefix: spec["strip-prefix"]?.string, absolute: try flag(spec, "abs", at: location),
            constant: constant, fallback: spec["default"]?.string
        )
    }

    private func condition(_ node: Node, at place: String) throws -> Condition {
        guard let spec = node.mapping else { throw failure(node, "\(place): when must be a mapping of exists/absent/equals") }
        try checkKeys(spec, ["exists", "absent", "equals"], at: place)
        var result = Condition()
        result.exists = try pathList(spec["exists"])
        result.absent = try pathList(spec["absent"])
        if let equals = spec["equals"] {
            guard let pairs = equals.mapping else { throw failure(equals, "\(place): equals must be a mapping of path: value") }
            for (key, value) in pairs {
                result.equals.append((try path(key.string ?? "", at: key), value.string ?? ""))
            }
        }
        guard !(result.exists.isEmpty && result.absent.isEmpty && result.equals.isEmpty) else {
            throw failure(node, "\(place): an empty condition would match anything")
        }
        return result
    }

    private func pathList(_ node: Node?) throws -> [PlatformPath] {
        guard let node else { return [] }
        if let list = node.sequence { return try list.map { try path($0.string ?? "", at: $0) } }
        return [try path(node.string ?? "", at: node)]
    }

    private func path(_ text: String, at node: Node?) throws -> PlatformPath {
        do {
            return try PlatformPath(text)
        } catch {
            throw failure(node, "path \"\(error.path)\" \(error.rule)")
        }
    }

    private func flag(_ spec: Node.Mapping, _ key: String, at location: String) throws -> Bool {
        guard let node = spec[key] else { return false }
        guard let value = node.bool else { throw failure(node, "\(location): \(key) must be true or false") }
        return value
    }

    private func checkKeys(_ spec: Node.Mapping, _ allowed: Set<String>, at place: String) throws {
        for key in spec.keys {
            let name = key.string ?? ""
            guard allowed.contains(name) else {
                throw failure(key, "\(place): unknown key \(name) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    private func failure(_ node: Node?, _ message: String) -> YidanError {
        if let mark = node?.mark {
            return YidanError(.configuration, "\(file) line \(mark.line): \(message)")
        }
        return YidanError(.configuration, "\(file): \(message)")
    }
}
