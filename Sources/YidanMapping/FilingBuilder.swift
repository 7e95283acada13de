import Foundation
import YidanCore
import YidanXML

/// Runs a compiled `MessageMapping` over one order and writes the message
/// with YidanXML, element by element, in the order the mapping lists them
/// (the schema's order). Every problem found along the way is collected so
/// one error names them all.
struct FilingBuilder {
    let mapping: MessageMapping

    func build(in scope: MappingScope) throws -> XMLDocument {
        let document = XMLDocument(rootName: mapping.root, namespaceURI: mapping.namespaceURI, prefix: mapping.prefix)
        guard let root = document.root else {
            throw YidanError(.xml, "\(mapping.message): the new document has no root element")
        }
        var issues: [FieldIssue] = []
        for attribute in mapping.attributes {
            if let text = attribute.render(in: scope, message: mapping.message, issues: &issues) {
                root.setAttribute(attribute.name, text)
            }
        }
        write(mapping.children, into: root, scope: scope, issues: &issues)
        guard issues.isEmpty else {
            throw YidanError(
                .mapping,
                "\(mapping.message) cannot be built from order \(scope.order.orderNo): "
                    + issues.map(\.description).joined(separator: "; "),
                cause: ValidationFailure(issues: issues)
            )
        }
        return document
    }

    private func write(_ rules: [ElementRule], into parent: XMLNode, scope: MappingScope, issues: inout [FieldIssue]) {
        for rule in rules {
            switch rule {
            case .field(let field):
                if let text = field.render(in: scope, message: mapping.message, issues: &issues) {
                    parent.addChild(field.name, text: text)
                }
            case .group(let group):
                if let when = group.when, !when.holds(in: scope) { continue }
                if let list = group.repeatOver {
                    let count = list.count(scope)
                    if count == 0 {
                        issues.append(FieldIssue(pointer: list.pointer, value: nil, rule: "must not be empty for \(mapping.message) \(group.name)"))
                    }
                    for index in 0..<count {
                        var itemScope = scope
                        itemScope.itemIndex = index
                        let element = parent.addChild(group.name)
                        write(group.children, into: element, scope: itemScope, issues: &issues)
                    }
                } else {
                    let element = parent.addChild(group.name)
                    write(group.children, into: element, scope: scope, issues: &issues)
                }
            }
        }
    }
}
