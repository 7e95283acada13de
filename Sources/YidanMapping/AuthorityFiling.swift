public import Foundation
public import YidanCore
public import YidanXML

/// The filings yidan makes to authorities other than customs, in formats the
/// project defines (no public schema exists): see `docs/filings.md`.
///
/// Deliberately not `MessageKind` cases yet: they are not stored or dispatched.
public enum AuthorityFilingKind: String, Sendable, CaseIterable {
    /// The withheld cross-border composite tax of an import, to the tax authority.
    case taxImport = "TAX-IMPORT"
    /// The per-transaction balance-of-payments record, to the FX administration.
    case fxPayment = "FX-PAYMENT"
    /// The no-invoice exemption record of an export, to the tax authority.
    case taxExport = "TAX-EXPORT"
    /// The balance-of-payments record of an export's money flowing in, to the FX administration.
    case fxExport = "FX-EXPORT"

    /// The two filings an import order makes besides customs (TAX-EXPORT follows an export's release).
    public static let importFilings: [AuthorityFilingKind] = [.taxImport, .fxPayment]

    /// The mapping file, relative to `Mappings/`.
    public var mappingFile: String { "authorities/\(rawValue).yaml" }

    /// The schema file, relative to `Mappings/`.
    public var schemaFile: String {
        switch self {
        case .taxImport: "schemas/tax-filing-v1.xsd"
        case .fxPayment, .fxExport: "schemas/fx-filing-v1.xsd"
        case .taxExport: "schemas/tax-export-v1.xsd"
        }
    }

    public var namespaceURI: String {
        switch self {
        case .taxImport: "urn:yidan:filing:tax:v1"
        case .fxPayment, .fxExport: "urn:yidan:filing:fx:v1"
        case .taxExport: "urn:yidan:filing:tax-export:v1"
        }
    }

    public var rootElement: String {
        switch self {
        case .taxImport: "TaxImportFiling"
        case .fxPayment: "FxPaymentFiling"
        case .taxExport: "TaxExportFiling"
        case .fxExport: "FxExportFiling"
        }
    }
}

/// The compiled mappings and loaded schemas of every `AuthorityFilingKind`,
/// read with the same compiler (and code tables) as the CEB mappings.
struct AuthorityFilingMappings: Sendable {
    let mappings: [AuthorityFilingKind: MessageMapping]
    let schemas: [AuthorityFilingKind: XMLSchema]

    init(directory: URL, compiler: inout MappingFileCompiler) throws {
        var mappings: [AuthorityFilingKind: MessageMapping] = [:]
        var schemas: [AuthorityFilingKind: XMLSchema] = [:]
        for kind in AuthorityFilingKind.allCases {
            let url = directory.appendingPathComponent(kind.mappingFile)
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw YidanError(.configuration, "cannot read mapping file Mappings/\(kind.mappingFile)", cause: error)
            }
            let mapping = try compiler.compile(yaml: text, file: "Mappings/\(kind.mappingFile)", expecting: kind.rawValue)
            guard mapping.root == kind.rootElement, mapping.namespaceURI == kind.namespaceURI else {
                throw YidanError(
                    .configuration,
                    "Mappings/\(kind.mappingFile) must write {\(kind.namespaceURI)}\(kind.rootElement), not {\(mapping.namespaceURI)}\(mapping.root)"
                )
            }
            mappings[kind] = mapping
            schemas[kind] = try XMLSchema(contentsOf: directory.appendingPathComponent(kind.schemaFile))
        }
        self.mappings = mappings
        self.schemas = schemas
    }
}

extension MappingCatalog {
    /// Builds the tax or FX filing of an order through the same mapping layer
    /// as the CEB messages, then validates it against its own schema.
    ///
    /// - Parameters:
    ///   - annualBefore: the buyer's annual cross-border total before this order
    ///     (RMB); the filing carries it and the total after (`+ tax.allowanceUse`).
    ///   - declarationNo: the customs declaration number (CEB792 `entryId`),
    ///     written into the FX record (and the export tax record) once known; left out while nil.
    ///   - inventoryNo: the released export inventory's number (CEB604 `invtNo`),
    ///     which the export tax record (`.taxExport`) names; nil for imports.
    ///   - exchangeRate: the conversion of an export's amount to RMB (`.fxExport`
    ///     needs it: without it `fx.*` is absent and the build fails on `/currency`).
    /// - Throws: `YidanError(.mapping)` naming unmappable fields by pointer (an
    ///   order not in CNY has no exchange rate yet: `/currency`);
    ///   `YidanError(.schema)` listing schema issues by XPath.
    public func makeAuthorityFiling(
        _ kind: AuthorityFilingKind, order: NormalizedOrder, tax: OrderTax, annualBefore: Decimal,
        declarationNo: String? = nil, inventoryNo: String? = nil, exchangeRate: FilingExchangeRate? = nil,
        guid: String, now: ZonedDateTime
    ) throws -> XMLDocument {
        try Self.requireFilingGUID(guid)
        guard let mapping = authorityFilings.mappings[kind] else {
            throw YidanError(.configuration, "no mapping loaded for \(kind.rawValue)")
        }
        var scope = MappingScope(
            order: order, tax: tax, computed: ComputedValues(order: order, tax: tax),
            guid: guid, now: now, profile: profile, itemIndex: nil,
            authority: AuthorityFilingInputs(order: order, annualBefore: annualBefore, declarationNo: declarationNo, exchangeRate: exchangeRate)
        )
        scope.summary = inventoryNo.map(ExportSummaryInputs.init(invtNo:))  // `inventory.invtNo` (ExportSummaryFiling.swift)
        let document = try FilingBuilder(mapping: mapping).build(in: scope)
        let issues = validate(document, authorityFiling: kind)
        guard issues.isEmpty else {
            throw YidanError(
                .schema,
                "\(kind.rawValue) for order \(order.orderNo) fails Mappings/\(kind.schemaFile): "
                    + issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            )
        }
        return document
    }

    /// Validates a tax or FX filing against its schema; empty means valid.
    public func validate(_ document: XMLDocument, authorityFiling kind: AuthorityFilingKind) -> [XMLSchemaIssue] {
        guard let schema = authorityFilings.schemas[kind] else {
            return [XMLSchemaIssue(line: 0, path: "/", message: "no schema loaded for \(kind.rawValue)")]
        }
        var issues = schema.validate(document)
        if let root = document.root, root.localName != kind.rootElement {
            issues.insert(XMLSchemaIssue(line: 0, path: root.path, message: "expected a \(kind.rootElement), found \(root.localName)"), at: 0)
        }
        return issues
    }
}
