public import YidanCore
public import YidanXML

/// What a cancel (CEB623) or return (CEB625) says beyond the order itself:
/// customs' numbers of the original inventory, from its CEB622 receipts, and
/// the merchant's reason. Mappings read them as `change.*`.
public struct OrderChangeInputs: Sendable, Equatable {
    /// The inventory number customs assigned (清单编号), required by both messages.
    public var invtNo: String
    /// The e-port's number of the inventory (预录入编号), if a receipt gave one.
    public var preNo: String?
    public var reason: String

    public init(invtNo: String, preNo: String?, reason: String) {
        self.invtNo = invtNo
        self.preNo = preNo
        self.reason = reason
    }
}

extension SourcePath {
    /// `change.*`: only CEB623/CEB625 name them; elsewhere they read as absent.
    static let orderChangePaths: [String: SourcePath] = {
        func change(_ name: String, _ pointer: String, _ read: @escaping @Sendable (OrderChangeInputs) -> MappingValue?) -> SourcePath {
            SourcePath(
                name: "change." + name, needsItem: false, read: { $0.change.flatMap(read) }, pointer: { _ in pointer },
                mask: nil
            )
        }
        return [
            "change.invtNo": change("invtNo", "CEB622 receipt: invtNo") { .text($0.invtNo) },
            "change.preNo": change("preNo", "CEB622 receipt: preNo") { .optionalText($0.preNo) },
            "change.reason": change("reason", "--reason") { .text($0.reason) },
        ]
    }()
}

extension MappingCatalog {
    /// Builds a cancel (`.ceb623`) or return (`.ceb625`) of an order's import
    /// inventory and validates it against `schemas/ceb-import.xsd`, tolerating
    /// only the missing `ds:Signature` the caller adds next (as for CEB621).
    public func makeChangeFiling(
        _ kind: MessageKind, order: NormalizedOrder, tax: OrderTax, change: OrderChangeInputs, guid: String,
        now: ZonedDateTime
    ) throws -> XMLDocument {
        guard kind == .ceb623 || kind == .ceb625 else {
            throw YidanError(.mapping, "\(kind.rawValue) is not a cancel or return message")
        }
        var (mapping, scope) = try customsMapping(kind, order: order, tax: tax, guid: guid, now: now)
        scope.change = change
        let document = try FilingBuilder(mapping: mapping).build(in: scope)
        let issues = validate(document, kind: kind).filter { !Self.isMissingSignature($0, root: mapping.root) }
        guard issues.isEmpty else {
            throw YidanError(
                .schema,
                "\(kind.rawValue) for order \(order.orderNo) fails Mappings/\(Self.schemaFile): "
                    + issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            )
        }
        return document
    }
}
