import CLibXML2
import YidanCore

enum XPath {
    static func select(
        _ expression: String,
        namespaces: [String: String],
        in document: XMLDocument,
        from contextNode: xmlNodePtr?
    ) throws -> [XMLNode] {
        try XMLErrorLog.capture { log in
            guard let context = xmlXPathNewContext(document.pointer) else {
                throw YidanError(.xml, "XPath context could not be created")
            }
            defer { xmlXPathFreeContext(context) }
            if let contextNode {
                context.pointee.node = contextNode
            }
            for (prefix, uri) in namespaces.sorted(by: { $0.key < $1.key }) {
                guard xmlXPathRegisterNs(context, xmlChars(prefix), xmlChars(uri)) == 0 else {
                    throw YidanError(.xml, "XPath namespace prefix '\(prefix)' could not be registered")
                }
            }
            guard let result = xmlXPathEvalExpression(xmlChars(expression), context) else {
                throw log.yidanError("XPath '\(expression)' could not be evaluated")
            }
            defer { xmlXPathFreeObject(result) }
            guard result.pointee.type == XPATH_NODESET else {
                throw YidanError(.xml, "XPath '\(expression)' does not select nodes")
            }
            guard let set = result.pointee.nodesetval, let table = set.pointee.nodeTab else { return [] }
            var nodes: [XMLNode] = []
            for index in 0..<Int(set.pointee.nodeNr) {
                // Namespace nodes in a node-set are xmlNs copies, not tree nodes: skip them.
                guard let node = table[index], node.pointee.type != XML_NAMESPACE_DECL else { continue }
                nodes.append(XMLNode(document: document, pointer: node))
            }
            return nodes
        }
    }
}
