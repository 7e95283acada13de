public import Foundation
public import YidanCore
public import YidanXML

/// The facts of one declared CEB message the simulator's rules look at: its
/// kind, its guid and the text of every field of its head, plus the sum of its
/// goods lines. Kept as plain text so a schema-invalid message can still be
/// answered with a receipt naming it.
public struct DeclaredMessage: Sendable, Equatable {
    public static let cebNamespace = "http://www.chinaport.gov.cn/ceb"

    public var kind: MessageKind
    /// The message guid (root attribute, else the head's `guid`): the filing id.
    public var guid: String
    /// Head field local name → trimmed text (`orderNo`, `ebpCode`, `freight`, …).
    public var fields: [String: String]
    /// Sum of the goods lines' `totalPrice` (OrderList / InventoryList); nil when
    /// the kind has no lines or a line's amount is not a number.
    public var linesTotal: Decimal?
    /// The goods lines (HS code, quantity, total), in document order, for the
    /// tax bill customs issues on a released inventory; empty when a line is unreadable.
    public var lines: [TaxableLine]

    public init(kind: MessageKind, guid: String, fields: [String: String], linesTotal: Decimal? = nil, lines: [TaxableLine] = []) {
        self.kind = kind
        self.guid = guid
        self.fields = fields
        self.linesTotal = linesTotal
        self.lines = lines
    }

    public subscript(field: String) -> String? {
        guard let value = fields[field], !value.isEmpty else { return nil }
        return value
    }

    /// A head field read as an exact decimal amount.
    public func amount(_ field: String) -> Decimal? {
        self[field].flatMap(Money.parse)
    }

    /// `appType` 2 is a change of an earlier declaration of the same business number.
    public var isModification: Bool { self["appType"] == "2" }

    /// Reads a CEB311/411/511/621 or CEB303/403/505/603 document. Only the first head is read: yidan
    /// files one order per message. Throws when the root is not one of the four
    /// messages or carries no guid, since then no receipt could name it.
    public init(document: XMLDocument) throws {
        guard let root = document.root, root.namespaceURI == Self.cebNamespace else {
            throw YidanError(.xml, "the message root is not in the CEB namespace")
        }
        guard let kind = (MessageKind.importDeclaration + MessageKind.exportDeclaration + Self.inventoryChangeKinds + [.ceb701]).first(where: { $0.rootElement == root.localName }) else {
            throw YidanError(.xml, "unsupported message \(root.localName); expected CEB311/411/511/621 or CEB303/403/505/603Message")
        }
        let (wrapperName, headName, listName) = Self.layout(of: kind)
        let wrapper = root.firstChild(wrapperName, namespaceURI: Self.cebNamespace)
        let head = wrapper?.firstChild(headName, namespaceURI: Self.cebNamespace)
            ?? root.firstChild(headName, namespaceURI: Self.cebNamespace)
        var fields: [String: String] = [:]
        for child in head?.elementChildren ?? [] where fields[child.localName] == nil {
            fields[child.localName] = child.trimmedText
        }
        var total: Decimal?
        var lines: [TaxableLine] = []
        if let listName, let wrapper {
            var sum = Decimal(0)
            var valid = true
            for line in wrapper.children(listName, namespaceURI: Self.cebNamespace) {
                let text = line.firstChild("totalPrice", namespaceURI: Self.cebNamespace)?.trimmedText ?? ""
                guard let value = Money.parse(text) else {
                    valid = false
                    break
                }
                sum += value
                if let line = Self.taxableLine(line, totalPrice: value) { lines.append(line) }
            }
            total = valid ? sum : nil
            if !valid { lines = [] }
        }
        if kind == .ceb701, let wrapper {
            fields["invtNos"] = Self.summaryInventoryNumbers(in: wrapper)  // ExportSummaries.swift
        }
        let guid = root.attribute("guid") ?? fields["guid"] ?? ""
        guard !guid.isEmpty else {
            throw YidanError(.xml, "\(root.localName) has no guid")
        }
        self.init(kind: kind, guid: guid, fields: fields, linesTotal: total, lines: lines)
    }

    /// Wrapper element, head element and goods-line element of each message.
    static func layout(of kind: MessageKind) -> (wrapper: String, head: String, list: String?) {
        switch kind {
        case .ceb311: ("Order", "OrderHead", "OrderList")
        case .ceb411: ("Payment", "PaymentHead", nil)
        case .ceb511: ("Logistics", "LogisticsHead", nil)
        case .ceb621: ("Inventory", "InventoryHead", "InventoryList")
        default:
            // Exports (ExportDeclarations.swift); `init(document:)` admits no other kind.
            exportLayout(of: kind) ?? changeLayout(of: kind) ?? summaryLayout(of: kind) ?? ("", "", nil)  // InventoryChanges.swift, ExportSummaries.swift
        }
    }
}
