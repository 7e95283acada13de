public import Foundation
import CLibXML2
import YidanCore

extension XMLDocument {
    /// Canonical XML 1.0 (inclusive, without comments) of the whole document.
    ///
    /// `excluding` leaves that element and its subtree out, which is what the
    /// enveloped-signature transform does with the `ds:Signature` element.
    /// It is spliced out of its siblings' links while libxml2 writes (see
    /// `TreeLinks`); the tree is as it was when this returns or throws.
    public func canonicalized(excluding: XMLNode? = nil) throws -> Data {
        guard let excluding else {
            return try canonicalize(filter: nil)
        }
        let node = excluding.pointer
        guard node.pointee.doc == pointer, let parent = node.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else {
            return try canonicalize(filter: CanonicalizationFilter(subtree: node, keepsSubtree: false))
        }
        var links = TreeLinks()
        defer { links.restore() }
        let (previous, next) = (node.pointee.prev, node.pointee.next)
        if let previous { links.set(previous, .next, next) } else { links.set(parent, .children, next) }
        if let next { links.set(next, .prev, previous) } else { links.set(parent, .last, previous) }
        return try canonicalize(filter: nil)
    }

    /// Canonical XML 1.0 (inclusive, without comments) of one element's subtree
    /// as a document subset: the namespaces it inherits from its ancestors are
    /// written on it, as the XML-DSig SignedInfo canonicalization requires.
    ///
    /// libxml2 visits every node of the document, visible or not, so for the
    /// few hundred bytes of a SignedInfo it used to do most of the work of the
    /// whole document. While it writes, each ancestor's only child is the path
    /// down to the subtree (`TreeLinks`); what it inherits from them,
    /// namespaces and `xml:` attributes, is on the ancestors themselves.
    public func canonicalized(subtree: XMLNode) throws -> Data {
        var links = TreeLinks()
        defer { links.restore() }
        if subtree.pointer.pointee.doc == pointer {
            var node = subtree.pointer
            while let parent = node.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE {
                links.set(parent, .children, node)
                links.set(parent, .last, node)
                links.set(node, .prev, nil)
                links.set(node, .next, nil)
                node = parent
            }
        }
        return try canonicalize(filter: CanonicalizationFilter(subtree: subtree.pointer, keepsSubtree: true))
    }

    private func canonicalize(filter: CanonicalizationFilter?) throws -> Data {
        try XMLErrorLog.capture { log in
            guard let output = xmlAllocOutputBuffer(nil) else {
                throw YidanError(.xml, "C14N output buffer could not be allocated")
            }
            defer { xmlOutputBufferClose(output) }
            let mode = Int32(XML_C14N_1_0.rawValue)
            let status: Int32
            if let filter {
                status = withExtendedLifetime(filter) {
                    xmlC14NExecute(pointer, isVisibleInCanonicalForm, Unmanaged.passUnretained(filter).toOpaque(), mode, nil, 0, output)
                }
            } else {
                status = xmlC14NExecute(pointer, nil, nil, mode, nil, 0, output)
            }
            guard status >= 0, let content = xmlOutputBufferGetContent(output) else {
                throw log.yidanError("C14N canonicalization failed")
            }
            return Data(bytes: content, count: Int(xmlOutputBufferGetSize(output)))
        }
    }
}

/// Which nodes a canonicalization keeps: the nodes inside `subtree`
/// (`keepsSubtree`) or all nodes outside it.
private final class CanonicalizationFilter {
    let subtree: xmlNodePtr
    let keepsSubtree: Bool

    init(subtree: xmlNodePtr, keepsSubtree: Bool) {
        self.subtree = subtree
        self.keepsSubtree = keepsSubtree
    }

    /// Where `type` sits in both xmlNode and xmlNs: right after the first pointer.
    static let typeOffset = MemoryLayout<xmlNs>.offset(of: \xmlNs.type) ?? MemoryLayout<UnsafeRawPointer>.stride

    func isVisible(_ node: xmlNodePtr?, parent: xmlNodePtr?) -> Bool {
        // Namespace nodes arrive as xmlNs pointers (whose `type` sits where an
        // xmlNode's does): judge them, and attributes, by their element.
        var current: xmlNodePtr? = node
        if let node {
            let type = UnsafeRawPointer(node).load(fromByteOffset: Self.typeOffset, as: xmlElementType.self)
            if type == XML_NAMESPACE_DECL || type == XML_ATTRIBUTE_NODE {
                current = parent
            }
        }
        var inside = false
        while let candidate = current {
            if candidate == subtree {
                inside = true
                break
            }
            current = candidate.pointee.parent
        }
        return inside == keepsSubtree
    }
}

private func isVisibleInCanonicalForm(_ userData: UnsafeMutableRawPointer?, _ node: xmlNodePtr?, _ parent: xmlNodePtr?) -> Int32 {
    guard let userData else { return 1 }
    let filter = Unmanaged<CanonicalizationFilter>.fromOpaque(userData).takeUnretainedValue()
    return filter.isVisible(node, parent: parent) ? 1 : 0
}

/// Temporary changes to a tree's sibling and child links, undone in reverse
/// order by `restore()`. Only pointers change: libxml2's unlink and add
/// functions merge adjacent text nodes (freeing one), so they could not put a
/// tree back exactly as it was, and nodes that callers hold must stay alive.
private struct TreeLinks {
    enum Link { case children, last, prev, next }

    private var saved: [(node: xmlNodePtr, link: Link, value: xmlNodePtr?)] = []

    mutating func set(_ node: xmlNodePtr, _ link: Link, _ value: xmlNodePtr?) {
        saved.append((node, link, Self.get(node, link)))
        Self.put(node, link, value)
    }

    func restore() {
        for change in saved.reversed() {
            Self.put(change.node, change.link, change.value)
        }
    }

    private static func get(_ node: xmlNodePtr, _ link: Link) -> xmlNodePtr? {
        switch link {
        case .children: node.pointee.children
        case .last: node.pointee.last
        case .prev: node.pointee.prev
        case .next: node.pointee.next
        }
    }

    private static func put(_ node: xmlNodePtr, _ link: Link, _ value: xmlNodePtr?) {
        switch link {
        case .children: node.pointee.children = value
        case .last: node.pointee.last = value
        case .prev: node.pointee.prev = value
        case .next: node.pointee.next = value
        }
    }
}
