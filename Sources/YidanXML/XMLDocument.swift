public import Foundation
import CLibXML2
import YidanCore

/// An XML document owned by libxml2.
///
/// Not `Sendable`: libxml2 trees must not be touched from two threads at once,
/// so a document is built, signed or read within one task.
public final class XMLDocument {
    let pointer: xmlDocPtr

    init(adopting pointer: xmlDocPtr) {
        self.pointer = pointer
    }

    deinit {
        xmlFreeDoc(pointer)
    }

    /// A new document with one root element, optionally in a namespace
    /// (declared on the root, with `prefix` or as the default namespace).
    public init(rootName: String, namespaceURI: String? = nil, prefix: String? = nil) {
        LibXML.ensureInitialized()
        guard let document = xmlNewDoc(xmlChars("1.0")),
              let root = xmlNewDocNode(document, nil, xmlChars(rootName), nil)
        else {
            fatalError("libxml2 could not allocate a document (out of memory)")
        }
        self.pointer = document
        xmlDocSetRootElement(document, root)
        if let namespaceURI {
            xmlSetNs(root, xmlNewNs(root, xmlChars(namespaceURI), prefix.map(xmlChars)))
        }
    }

    /// The root element, if the document has one.
    public var root: XMLNode? {
        xmlDocGetRootElement(pointer).map { XMLNode(document: self, pointer: $0) }
    }

    /// The document as UTF-8 bytes, starting with `<?xml version="1.0" encoding="UTF-8"?>`.
    ///
    /// `pretty` adds indentation, which adds whitespace text: serialize signed
    /// documents with `pretty: false`, or the signature no longer matches.
    public func serialized(pretty: Bool = false) -> Data {
        var bytes: UnsafeMutablePointer<xmlChar>?
        var count: Int32 = 0
        xmlDocDumpFormatMemoryEnc(pointer, &bytes, &count, "UTF-8", pretty ? 1 : 0)
        guard let bytes else { return Data() }
        defer { yidan_xml_free(bytes) }
        return Data(bytes: bytes, count: Int(count))
    }

    /// Evaluates an XPath 1.0 expression from the document node and returns the
    /// elements, attributes and text nodes it selects. `namespaces` maps the
    /// prefixes the expression uses to namespace URIs.
    public func select(_ xpath: String, namespaces: [String: String] = [:]) throws -> [XMLNode] {
        try XPath.select(xpath, namespaces: namespaces, in: self, from: nil)
    }

    /// Every element named `localName` in `namespaceURI`, in document order
    /// (XPath's `//p:localName`). A walk over libxml2's nodes comparing C
    /// strings: no XPath context to build and no expression to compile, which
    /// cost more than the walk itself on a CEB message.
    public func elements(named localName: String, namespaceURI: String) -> [XMLNode] {
        var found: [XMLNode] = []
        localName.withCString { name in
            namespaceURI.withCString { uri in
                let name = UnsafeRawPointer(name).assumingMemoryBound(to: xmlChar.self)
                let uri = UnsafeRawPointer(uri).assumingMemoryBound(to: xmlChar.self)
                var next = xmlDocGetRootElement(pointer)
                while let node = next {
                    if xmlStrEqual(node.pointee.name, name) != 0, let ns = node.pointee.ns, xmlStrEqual(ns.pointee.href, uri) != 0 {
                        found.append(XMLNode(document: self, pointer: node))
                    }
                    next = Self.elementAfter(node)
                }
            }
        }
        return found
    }

    /// The element after `node` in document order: its first element child,
    /// else the next element sibling of it or of its nearest ancestor.
    private static func elementAfter(_ node: xmlNodePtr) -> xmlNodePtr? {
        if let child = firstElement(from: node.pointee.children) { return child }
        var current: xmlNodePtr? = node
        while let at = current, at.pointee.type == XML_ELEMENT_NODE {
            if let sibling = firstElement(from: at.pointee.next) { return sibling }
            current = at.pointee.parent
        }
        return nil
    }

    private static func firstElement(from node: xmlNodePtr?) -> xmlNodePtr? {
        var current = node
        while let at = current, at.pointee.type != XML_ELEMENT_NODE { current = at.pointee.next }
        return current
    }
}

@available(*, unavailable, message: "libxml2 documents are used within one task")
extension XMLDocument: Sendable {}
