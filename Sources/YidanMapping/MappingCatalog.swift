public import Foundation
public import YidanCore
public import YidanXML

/// Everything in `Mappings/` the mapping stage needs, read and compiled once:
/// the four message mappings (`ceb/CEB311.yaml` …), the code tables
/// (`tables/*.csv`), the enterprise profile (`profile.yaml`) and the project's
/// schema of the import messages (`schemas/ceb-import.xsd`).
///
/// Loading checks every path, option, table and column a mapping names, so a
/// broken mapping file fails at start-up. Mapping an order reads no file.
public struct MappingCatalog: Sendable {
    /// CEB `appType` of a first declaration; an amendment files "2" (`amendmentAppType`).
    public static let newDeclarationAppType = "1"
    public static let amendmentAppType = "2"
    public let directory: URL
    public let profile: MappingProfile
    let mappings: [MessageKind: MessageMapping]
    let tables: [String: CodeTable]
    let schema: XMLSchema
    /// The export declarations' schema (`exportSchemaFile`), chosen by `MessageKind.direction`.
    let exportSchema: XMLSchema
    /// The tax and FX filings' mappings and schemas (`AuthorityFilingMappings`).
    let authorityFilings: AuthorityFilingMappings

    /// The schema file every built message is validated against.
    public static let schemaFile = "schemas/ceb-import.xsd"
    /// The schema of the export declarations (CEB303/403/505/603).
    public static let exportSchemaFile = "schemas/ceb-export.xsd"

    /// The schema file a kind's messages are validated against.
    public static func schemaFile(for kind: MessageKind) -> String {
        kind.direction == .export ? exportSchemaFile : schemaFile
    }

    public init(directory: URL) throws {
        self.directory = directory
        self.profile = try MappingProfile(contentsOf: directory.appendingPathComponent("profile.yaml"))

        var mappings: [MessageKind: MessageMapping] = [:]
        var compiler = MappingFileCompiler(tablesFolder: directory.appendingPathComponent("tables"))
        // Customs messages whose mapping files exist (exports arrive with their files).
        for kind in MessageKind.allCases where kind.authority == .customs {
            let relative = "ceb/\(kind.rawValue).yaml"
            guard kind.direction == .import || FileManager.default.fileExists(atPath: directory.appendingPathComponent(relative).path) else { continue }
            let url = directory.appendingPathComponent(relative)
            let text: String
            do {
                text = try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw YidanError(.configuration, "cannot read mapping file Mappings/\(relative)", cause: error)
            }
            mappings[kind] = try compiler.compile(yaml: text, file: "Mappings/\(relative)", expecting: kind.rawValue)
        }
        self.mappings = mappings
        self.authorityFilings = try AuthorityFilingMappings(directory: directory, compiler: &compiler)
        self.tables = compiler.tables
        self.schema = try XMLSchema(contentsOf: directory.appendingPathComponent(Self.schemaFile))
        self.exportSchema = try XMLSchema(contentsOf: directory.appendingPathComponent(Self.exportSchemaFile))
    }

    /// Finds the `Mappings/` directory: see `MappingsDirectory.locate`.
    public static func locate(explicit: String? = nil) throws -> URL {
        try MappingsDirectory.locate(explicit: explicit)
    }

    /// The compiled mapping of a customs message and the scope it is built in;
    /// refuses a malformed guid or a kind without a mapping file.
    func customsMapping(_ kind: MessageKind, order: NormalizedOrder, tax: OrderTax, guid: String, now: ZonedDateTime) throws -> (MessageMapping, MappingScope) {
        try Self.requireFilingGUID(guid)
        guard let mapping = mappings[kind] else {
            throw YidanError(.configuration, "no mapping loaded for \(kind.rawValue)")
        }
        let scope = MappingScope(
            order: order, tax: tax, computed: ComputedValues(order: order, tax: tax),
            guid: guid, now: now, profile: profile, itemIndex: nil
        )
        return (mapping, scope)
    }

    /// Builds one filing from an order and its computed tax, then validates it
    /// against `schemas/ceb-import.xsd`.
    ///
    /// - Parameters:
    ///   - guid: the message guid and filing id, 36 upper-case characters.
    ///   - now: the declaration time (`appTime`, `declTime`), written in Beijing time.
    /// - Throws: `YidanError(.mapping)` naming every order field that cannot be
    ///   mapped by its JSON pointer (its cause is a `ValidationFailure` with the
    ///   issues); `YidanError(.schema)` listing every schema issue by XPath.
    ///
    /// CEB621 must carry `ds:Signature`, which the caller adds after this
    /// returns: its missing signature is the one issue tolerated here. Validate
    /// the signed document with `validate(_:kind:)`.
    public func makeFiling(
        _ kind: MessageKind, order: NormalizedOrder, tax: OrderTax, guid: String, now: ZonedDateTime,
        appType: String = MappingCatalog.newDeclarationAppType
    ) throws -> XMLDocument {
        var (mapping, scope) = try customsMapping(kind, order: order, tax: tax, guid: guid, now: now)
        scope.appType = appType
        try Self.checkPayment(order: order, computed: scope.computed, kind: kind)
        let document = try FilingBuilder(mapping: mapping).build(in: scope)
        let issues = validate(document, kind: kind).filter { !(Self.signatureRequired(kind) && Self.isMissingSignature($0, root: mapping.root)) }
        guard issues.isEmpty else {
            throw YidanError(
                .schema,
                "\(kind.rawValue) for order \(order.orderNo) fails Mappings/\(Self.schemaFile(for: kind)): "
                    + issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
            )
        }
        return document
    }

    /// Validates a message (typically after signing) against `schemas/ceb-import.xsd`
    /// (`schemas/ceb-export.xsd` for export kinds).
    /// An empty result means it is valid.
    public func validate(_ document: XMLDocument, kind: MessageKind) -> [XMLSchemaIssue] {
        var issues = (kind.direction == .export ? exportSchema : schema).validate(document)
        if let root = document.root, root.localName != kind.rootElement {
            issues.insert(XMLSchemaIssue(line: 0, path: root.path, message: "expected a \(kind.rootElement), found \(root.localName)"), at: 0)
        }
        return issues
    }

    /// Looks a code up in one of the tables the mappings use, e.g. `code("unit", from: ["aliases"], to: "customs", key: "piece")`.
    public func code(in table: String, from keyColumns: [String], to valueColumn: String, key: String) throws -> String? {
        guard let codeTable = tables[table] else {
            throw YidanError(.configuration, "no code table Mappings/tables/\(table).csv")
        }
        return try codeTable.lookup(from: keyColumns, to: valueColumn)(key)
    }

    /// CEB311 `acturalPaid` and CEB411 `amountPaid` must be the same amount:
    /// what the buyer paid is the order's payment, and it must agree with
    /// goodsValue + freight + taxTotal − discount, or customs rejects the pair.
    static func checkPayment(order: NormalizedOrder, computed: ComputedValues, kind: MessageKind) throws {
        guard order.payment.amount != computed.acturalPaid else { return }
        let issue = FieldIssue(
            pointer: "/payment/amount", value: Money.format(order.payment.amount, minScale: 2),
            rule: "must equal goodsValue + freight + taxTotal − discount = \(Money.format(computed.acturalPaid, minScale: 2))"
                + " (taxTotal \(Money.format(computed.taxTotal, minScale: 2)))"
        )
        throw YidanError(
            .mapping, "\(kind.rawValue) cannot be built from order \(order.orderNo): \(issue)",
            cause: ValidationFailure(issues: [issue])
        )
    }

    /// The schema makes `ds:Signature` mandatory only on the inventory.
    static func signatureRequired(_ kind: MessageKind) -> Bool { kind == .ceb621 }

    /// libxml2's complaint that the root ends without its `ds:Signature`.
    static func isMissingSignature(_ issue: XMLSchemaIssue, root: String) -> Bool {
        issue.path.hasSuffix(":" + root) && issue.path.split(separator: "/").count == 1
            && issue.message.contains("Missing child element")
            && issue.message.contains("xmldsig#}Signature")
    }

    /// Refuses a guid that is not 36 upper-case characters (hex digits and dashes).
    static func requireFilingGUID(_ guid: String) throws {
        guard isFilingGUID(guid) else {
            throw YidanError(.mapping, "filing guid must be 36 upper-case characters (hex digits and dashes), got \(guid.count) characters")
        }
    }

    static func isFilingGUID(_ guid: String) -> Bool {
        guid.utf8.count == 36 && guid.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x2D
        }
    }
}
