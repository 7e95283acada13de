import Foundation
import Yams
import YidanCore

/// Reads one `Mappings/ceb/<kind>.yaml` and compiles it into a `MessageMapping`.
///
/// Every path, table, column and option is checked here, once, so a typo in a
/// mapping file stops the catalog from loading instead of failing an order.
struct MappingFileCompiler {
    /// The mapping file being compiled, as named in errors (`Mappings/ceb/CEB311.yaml`).
    var file: String = ""
    /// `Mappings/tables`: a table is read the first time a mapping names it.
    let tablesFolder: URL
    private(set) var tables: [String: CodeTable] = [:]
    private var lookups: [String: CodeLookup] = [:]

    private static let fieldKeys: Set<String> = [
        "source", "const", "format", "lookup", "decimals", "maxDecimals", "optional", "when", "maxLength", "expect", "default",
    ]
    private static let groupKeys: Set<String> = ["elements", "repeat", "when"]

    init(tablesFolder: URL) {
        self.tablesFolder = tablesFolder
    }

    mutating func compile(yaml text: String, file: String, expecting expected: String) throws -> MessageMapping {
        self.file = file
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw YidanError(.configuration, "\(file) is not valid YAML", cause: error)
        }
        guard let top = node?.mapping else {
            throw YidanError(.configuration, "\(file) must be a mapping with message, root, namespace, prefix and elements")
        }
        let message = try string(top, "message", context: file)
        guard message == expected else {
            throw YidanError(.configuration, "\(file) maps \(message), expected \(expected)")
        }
        var attributes: [FieldRule] = []
        if let attributeNode = top["attributes"] {
            guard let pairs = attributeNode.mapping else {
                throw YidanError(.configuration, "\(file): attributes must be a mapping of name: source")
            }
            for (key, value) in pairs {
                let name = key.string ?? ""
                attributes.append(try field(name, value, location: "@" + name, repeatScope: false))
            }
        }
        guard let elements = top["elements"] else {
            throw YidanError(.configuration, "\(file) has no elements")
        }
        return MessageMapping(
            message: message,
            root: try string(top, "root", context: file),
            namespaceURI: try string(top, "namespace", context: file),
            prefix: try string(top, "prefix", context: file),
            attributes: attributes,
            children: try children(elements, parent: "", repeatScope: false)
        )
    }

    private mutating func children(_ node: Node, parent: String, repeatScope: Bool) throws -> [ElementRule] {
        guard let sequence = node.sequence else {
            throw YidanError(.configuration, "\(file) \(parent.isEmpty ? "elements" : parent): elements must be a list of `- name: source` entries")
        }
        var rules: [ElementRule] = []
        for entry in sequence {
            guard let pair = entry.mapping, pair.count == 1, let first = pair.first, let name = first.key.string else {
                throw YidanError(.configuration, "\(file) \(parent): each element entry is one `name: source` pair\(line(entry))")
            }
            let location = parent.isEmpty ? name : parent + "/" + name
            if let spec = first.value.mapping, spec["elements"] != nil {
                rules.append(.group(try group(name, spec, location: location, repeatScope: repeatScope)))
            } else {
                rules.append(.field(try field(name, first.value, location: location, repeatScope: repeatScope)))
            }
        }
        return rules
    }

    private mutating func group(_ name: String, _ spec: Node.Mapping, location: String, repeatScope: Bool) throws -> GroupRule {
        try checkKeys(spec, allowed: Self.groupKeys, location: location)
        var repeatOver: ListPath?
        if let repeatNode = spec["repeat"] {
            let listName = repeatNode.string ?? ""
            guard let list = ListPath.all[listName] else {
                throw YidanError(.configuration, "\(file) \(location): cannot repeat over \(listName) (lists: \(ListPath.all.keys.sorted().joined(separator: ", ")))")
            }
            repeatOver = list
        }
        guard let elements = spec["elements"] else {
            throw YidanError(.configuration, "\(file) \(location): a group needs elements")
        }
        let innerScope = repeatScope || repeatOver != nil
        return GroupRule(
            name: name,
            children: try children(elements, parent: location, repeatScope: innerScope),
            repeatOver: repeatOver,
            when: try spec["when"].map { try condition($0, location: location, repeatScope: repeatScope) }
        )
    }

    private mutating func field(_ name: String, _ node: Node, location: String, repeatScope: Bool) throws -> FieldRule {
        let context = "\(file) \(location)"
        // `name: order.orderNo` is shorthand for `name: {source: order.orderNo}`.
        if let scalar = node.scalar {
            return FieldRule(
                name: name, location: location,
                source: try expression(scalar.string, context: context, repeatScope: repeatScope),
                format: nil, lookup: nil, decimals: nil, maxDecimals: nil, optional: false, when: nil, maxLength: nil, expect: nil, fallback: nil
            )
        }
        guard let spec = node.mapping else {
            throw YidanError(.configuration, "\(context): expected a source expression or a mapping of options")
        }
        try checkKeys(spec, allowed: Self.fieldKeys, location: location)
        let source: MappingExpression
        switch (spec["source"]?.string, spec["const"]?.string) {
        case (let text?, nil):
            source = try expression(text, context: context, repeatScope: repeatScope)
        case (nil, let constant?):
            source = .constant(.text(constant))
        default:
            throw YidanError(.configuration, "\(context): give exactly one of source or const")
        }
        var lookup: CodeLookup?
        if let lookupNode = spec["lookup"] {
            lookup = try compileLookup(lookupNode, context: context)
        }
        return FieldRule(
            name: name, location: location, source: source,
            format: spec["format"]?.string,
            lookup: lookup,
            decimals: try integer(spec, "decimals", context: context),
            maxDecimals: try integer(spec, "maxDecimals", context: context),
            optional: try boolean(spec, "optional", context: context),
            when: try spec["when"].map { try condition($0, location: location, repeatScope: repeatScope) },
            maxLength: try integer(spec, "maxLength", context: context),
            expect: spec["expect"]?.string,
            fallback: spec["default"]?.string
        )
    }

    /// `lookup: {table: unit, from: [customs, zh, en, aliases], to: customs}`;
    /// `from` may be one column or a list tried together.
    private mutating func compileLookup(_ node: Node, context: String) throws -> CodeLookup {
        guard let spec = node.mapping, let tableName = spec["table"]?.string, let to = spec["to"]?.string,
              let fromNode = spec["from"]
        else {
            throw YidanError(.configuration, "\(context): lookup needs table, from and to")
        }
        let from: [String]
        if let list = fromNode.sequence {
            from = list.compactMap(\.string)
        } else if let single = fromNode.string {
            from = [single]
        } else {
            throw YidanError(.configuration, "\(context): lookup from must be a column or a list of columns")
        }
        let key = "\(tableName)|\(from.joined(separator: ","))|\(to)"
        if let cached = lookups[key] { return cached }
        let table = try loadTable(tableName, context: context)
        let compiled = try table.lookup(from: from, to: to)
        lookups[key] = compiled
        return compiled
    }

    private mutating func loadTable(_ name: String, context: String) throws -> CodeTable {
        if let table = tables[name] { return table }
        let url = tablesFolder.appendingPathComponent(name + ".csv")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw YidanError(.configuration, "\(context): no code table Mappings/tables/\(name).csv")
        }
        let table = try CodeTable(contentsOf: url)
        tables[name] = table
        return table
    }

    private func expression(_ text: String, context: String, repeatScope: Bool) throws -> MappingExpression {
        let compiled = try MappingExpression.compile(text, context: context)
        if compiled.needsItem, !repeatScope {
            throw YidanError(.configuration, "\(context): \(text) reads item.* or index outside a repeat")
        }
        return compiled
    }

    private func condition(_ node: Node, location: String, repeatScope: Bool) throws -> MappingCondition {
        let context = "\(file) \(location)"
        guard let text = node.string else {
            throw YidanError(.configuration, "\(context): when must be text such as `order.tradeMode = 1210`")
        }
        let compiled = try MappingCondition.compile(text, context: context)
        if compiled.left.needsItem, !repeatScope {
            throw YidanError(.configuration, "\(context): \(text) reads item.* or index outside a repeat")
        }
        return compiled
    }

    private func checkKeys(_ spec: Node.Mapping, allowed: Set<String>, location: String) throws {
        for key in spec.keys {
            let name = key.string ?? ""
            if !allowed.contains(name) {
                throw YidanError(.configuration, "\(file) \(location): unknown option \(name) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    private func string(_ spec: Node.Mapping, _ key: String, context: String) throws -> String {
        guard let value = spec[key]?.string, !value.isEmpty else {
            throw YidanError(.configuration, "\(context): \(key) is required")
        }
        return value
    }

    private func integer(_ spec: Node.Mapping, _ key: String, context: String) throws -> Int? {
        guard let node = spec[key] else { return nil }
        guard let text = node.string, let value = Int(text), value >= 0 else {
            throw YidanError(.configuration, "\(context): \(key) must be a whole number")
        }
        return value
    }

    private func boolean(_ spec: Node.Mapping, _ key: String, context: String) throws -> Bool {
        guard let node = spec[key] else { return false }
        switch node.string {
        case "true": return true
        case "false": return false
        default: throw YidanError(.configuration, "\(context): \(key) must be true or false")
        }
    }

    private func line(_ node: Node) -> String {
        node.mark.map { " (line \($0.line))" } ?? ""
    }
}
