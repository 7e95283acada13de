public import YidanXML

/// Where `ds:Signature` goes among the root element's children. The CEB
/// schemas fix it: import messages (CEB311…CEB711) end with
/// `ExtendMessage?, ds:Signature?`, export messages (CEB303…CEB701) with
/// `ds:Signature?, ExtendMessage?`.
public enum SignaturePlacement: Sendable, Hashable {
    /// The last child of the root.
    case last
    /// Just before the first root child with this name (a nil namespace
    /// matches any); the last child when the root has no such child.
    case before(localName: String, namespaceURI: String?)

    /// The CEB messages namespace, shared by import and export messages.
    public static let cebNamespace = "http://www.chinaport.gov.cn/ceb"

    /// The export message roots whose schema puts `ds:Signature` before
    /// `ExtendMessage` (海关跨境出口业务节点报文定义202205.xsd).
    public static let exportRootNames: Set<String> = [
        "CEB213Message", "CEB215Message", "CEB303Message", "CEB403Message", "CEB505Message",
        "CEB507Message", "CEB509Message", "CEB603Message", "CEB605Message", "CEB607Message",
        "CEB701Message",
    ]

    /// The placement the CEB schema wants for `document`: before `ExtendMessage`
    /// for an export root in the CEB namespace, last for anything else
    /// (import messages, receipts, yidan's own tax and FX filings).
    public static func forCEB(_ document: XMLDocument) -> SignaturePlacement {
        guard let root = document.root, root.namespaceURI == cebNamespace,
              exportRootNames.contains(root.localName)
        else { return .last }
        return .before(localName: "ExtendMessage", namespaceURI: cebNamespace)
    }

    /// Puts `signature` (already a child of `root`) where this placement says.
    func place(_ signature: XMLNode, in root: XMLNode) {
        guard case .before(let localName, let namespaceURI) = self,
              let anchor = root.firstChild(localName, namespaceURI: namespaceURI),
              anchor != signature
        else { return }
        signature.move(before: anchor)
    }
}
