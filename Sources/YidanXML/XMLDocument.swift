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
}

@available(*, unavailable, message: "libxml2 documents are used within one task")
extension XMLDocument: Sendable {}
