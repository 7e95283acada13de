public import Foundation
import CLibXML2
import YidanCore

extension XMLDocument {
    /// Canonical XML 1.0 (inclusive, without comments) of the whole document.
    ///
    /// `excluding` leaves that element and its subtree out, which is what the
    /// enveloped-signature transform does with the `ds:Signature` element.
    public func canonicalized(excluding: XMLNode? = nil) throws -> Data {
        guard let excluding else {
            return try canonicalize(filter: nil)
        }
        return try canonicalize(filter: CanonicalizationFilter(subtree: excluding.pointer, keepsSubtree: false))
    }

    /// Canonical XML 1.0 (inclusive, without comments) of one element's subtree
    /// as a document subset: the namespaces it inherits from its ancestors are
    /// written on it, as the XML-DSig SignedInfo canonicalization requires.
    public func canonicalized(subtree: XMLNode) throws -> Data {
        try canonicalize(filter: CanonicalizationFilter(subtree: subtree.pointer, keepsSubtree: true))
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
