import CLibXML2
import YidanCore

/// A node inside an `XMLDocument`. It keeps its document alive, so a node may
/// outlive the variable that held the document.
///
/// After `remove()` the node (and any copy of this value) must not be used.
public struct XMLNode {
    /// The document this node belongs to.
    public let document: XMLDocument
    let pointer: xmlNodePtr

    init(document: XMLDocument, pointer: xmlNodePtr) {
        self.document = document
        self.pointer = pointer
    }

    /// The element or attribute name without prefix (`"text"` for text nodes).
    public var localName: String {
        swiftString(pointer.pointee.name) ?? ""
    }

    /// The namespace prefix the node is written with, if any.
    public var prefix: String? {
        swiftString(pointer.pointee.ns?.pointee.prefix)
    }

    public var namespaceURI: String? {
        swiftString(pointer.pointee.ns?.pointee.href)
    }

    public var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }

    /// The concatenated text of the node and its descendants.
    public var text: String {
        takeSwiftString(xmlNodeGetContent(pointer)) ?? ""
    }

    /// `text` without leading and trailing XML whitespace (space, tab, CR,
    /// LF: the spec's `S`, `LineSpace`), as a field's value is read.
    public var trimmedText: String {
        let whole = text
        let kept = LineSpace.trimmed(whole.utf8)
        return kept.count == whole.utf8.count ? whole : String(Substring(kept))
    }

    /// Replaces the node's children with one text node (escaped when written).
    public func setText(_ text: String) {
        xmlNodeSetContent(pointer, nil)
        xmlNodeAddContent(pointer, xmlChars(text))
    }

    /// The line the node started on when parsed (0 for built nodes).
    public var line: Int {
        Int(xmlGetLineNo(pointer))
    }

    public var parent: XMLNode? {
        guard let parent = pointer.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLNode(document: document, pointer: parent)
    }

    public var elementChildren: [XMLNode] {
        var result: [XMLNode] = []
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                result.append(XMLNode(document: document, pointer: current))
            }
            child = current.pointee.next
        }
        return result
    }

    /// An attribute without namespace, or a prefixed one (`"xsi:type"`) whose
    /// prefix is in scope. Never filled in from a DTD.
    public func attribute(_ name: String) -> String? {
        if let colon = name.firstIndex(of: ":") {
            let prefix = String(name[..<colon])
            let local = String(name[name.index(after: colon)...])
            guard let namespace = xmlSearchNs(pointer.pointee.doc, pointer, xmlChars(prefix)) else { return nil }
            return takeSwiftString(xmlGetNsProp(pointer, xmlChars(local), namespace.pointee.href))
        }
        return takeSwiftString(xmlGetNoNsProp(pointer, xmlChars(name)))
    }

    /// The first element child named `localName`; a nil `namespaceURI` matches any namespace.
    public func firstChild(_ localName: String, namespaceURI: String? = nil) -> XMLNode? {
        elementChildren.first { $0.matches(localName, namespaceURI: namespaceURI) }
    }

    /// Element children named `localName`; a nil `namespaceURI` matches any namespace.
    public func children(_ localName: String, namespaceURI: String? = nil) -> [XMLNode] {
        elementChildren.filter { $0.matches(localName, namespaceURI: namespaceURI) }
    }

    func matches(_ localName: String, namespaceURI: String?) -> Bool {
        guard self.localName == localName else { return false }
        guard let namespaceURI else { return true }
        return self.namespaceURI == namespaceURI
    }

    /// Appends an element in this element's namespace, written with the same prefix.
    @discardableResult
    public func addChild(_ localName: String, text: String? = nil) -> XMLNode {
        appendElement(localName, namespace: pointer.pointee.ns, text: text)
    }

    /// Appends an element in `namespaceURI`. The namespace is declared on the new
    /// element unless `prefix` is already bound to it where the element is placed.
    /// A nil `prefix` means the default namespace.
    @discardableResult
    public func addChild(_ localName: String, namespaceURI: String, prefix: String?, text: String? = nil) -> XMLNode {
        let inScope = xmlSearchNs(pointer.pointee.doc, pointer, prefix.map(xmlChars))
        if let inScope, swiftString(inScope.pointee.href) == namespaceURI {
            return appendElement(localName, namespace: inScope, text: text)
        }
        let child = appendElement(localName, namespace: nil, text: text)
        let declared = xmlNewNs(child.pointer, xmlChars(namespaceURI), prefix.map(xmlChars))
        xmlSetNs(child.pointer, declared)
        return child
    }

    private func appendElement(_ localName: String, namespace: xmlNsPtr?, text: String?) -> XMLNode {
        // No content argument here: xmlNewDocNode would parse `&` in it as entity references.
        guard let child = xmlNewDocNode(pointer.pointee.doc, namespace, xmlChars(localName), nil) else {
            fatalError("libxml2 could not allocate an element (out of memory)")
        }
        if let text {
            xmlNodeAddContent(child, xmlChars(text))
        }
        xmlAddChild(pointer, child)
        return XMLNode(document: document, pointer: child)
    }

    /// Sets (or replaces) an attribute without namespace.
    public func setAttribute(_ name: String, _ value: String) {
        xmlSetProp(pointer, xmlChars(name), xmlChars(value))
    }

    /// Moves this node, with its subtree, to just before `sibling` (same document).
    /// Used where a schema fixes an element's position, e.g. `ds:Signature`
    /// before `ExtendMessage` in export CEB messages.
    public func move(before sibling: XMLNode) {
        guard sibling.pointer != pointer else { return }
        xmlUnlinkNode(pointer)
        xmlAddPrevSibling(sibling.pointer, pointer)
    }

    /// Unlinks the node from the document and frees it.
    public func remove() {
        xmlUnlinkNode(pointer)
        xmlFreeNode(pointer)
    }

    /// An XPath to this node (e.g. `/ceb:CEB311Message/ceb:Order[2]`), for messages.
    public var path: String {
        takeSwiftString(xmlGetNodePath(pointer)) ?? ""
    }

    /// Evaluates an XPath 1.0 expression with this node as the context node.
    public func select(_ xpath: String, namespaces: [String: String] = [:]) throws -> [XMLNode] {
        try XPath.select(xpath, namespaces: namespaces, in: document, from: pointer)
    }
}

extension XMLNode: Equatable {
    /// Two values are equal when they refer to the same node.
    public static func == (lhs: XMLNode, rhs: XMLNode) -> Bool {
        lhs.pointer == rhs.pointer
    }
}

extension XMLNode: CustomStringConvertible {
    public var description: String { path }
}

@available(*, unavailable, message: "libxml2 nodes are used within one task")
extension XMLNode: Sendable {}
