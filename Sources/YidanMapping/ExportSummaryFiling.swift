public import YidanCore
public import YidanXML

/// What a summary request (CEB701) says beyond the order: the inventory number
/// customs gave the released CEB603 (from its CEB604 receipts). Mappings read
/// it as `summary.*`.
///
/// yidan files one CEB701 per statisticsFlag B export order, listing that
/// order's one inventory (`docs/filings.md`, "Export summary"): the request's
/// consignor is the order's merchant (`ebcCode`), as the specification asks
/// (one summary per consignor).
public struct ExportSummaryInputs: Sendable, Equatable {
    /// The released export inventory's number (清单编号), 18 characters.
    public var invtNo: String

    public init(invtNo: String) {
        self.invtNo = invtNo
    }
}

extension SourcePath {
    /// `summary.invtNo` (CEB701) and `inventory.invtNo` (the export tax record): the
    /// released inventory's number; `customs.entryId`: the CEB792 declaration number given
    /// to `makeAuthorityFiling` (optional: absent until customs assigns it). Elsewhere absent.
    static let exportSummaryPaths: [String: SourcePath] = [
        "summary.invtNo": SourcePath(
            name: "summary.invtNo", needsItem: false, read: { $0.summary.map { .text($0.invtNo) } },
            pointer: { _ in "CEB604 receipt: invtNo" }, mask: nil
        ),
        "inventory.invtNo": SourcePath(
            name: "inventory.invtNo", needsItem: false, read: { $0.summary.map { .text($0.invtNo) } },
            pointer: { _ in "CEB604 receipt: invtNo" }, mask: nil
        ),
        "customs.entryId": SourcePath(
            name: "customs.entryId", needsItem: false, read: { .optionalText($0.authority?.declarationNo) },
            pointer: { _ in "CEB792 result: entryId" }, mask: nil
        ),
    ]
}

extension MappingCatalog {
    /// Builds the summary request (CEB701) of a released statisticsFlag B
    /// export order and validates it against `schemas/ceb-export.xsd` (its
    /// signature is optional there; the caller signs it next).
    public func makeSummaryFiling(
        order: NormalizedOrder, summary: ExportSummaryInputs, guid: String, now: ZonedDateTime
    ) throws -> XMLDocument {
        try Self.requireFilingGUID(guid)
        guard let mapping = mappings[.ceb701] else {
            throw YidanError(.configuration, "no mapping loaded for CEB701 (Mappings/ceb/CEB701.yaml)")
        }
        var scope = MappingScope(
            order: order, tax: .none, computed: ComputedValues(order: order, tax: .none),
            guid: guid, now: now, profile: profile, itemIndex: nil
        )
        scope.summary = summary
        let document = try FilingBuilder(mapping: mapping).build(in: scope)
        let issues = validate(document, kind: .ceb701)
        guard issues.isEmpty else {
            throw YidanError(
                .schema,
                "CEB701 for order \(order.orderNo) fails Mappings/\(Self.exportSchemaFile): "
                    + issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            )
        }
        return document
    }
}
