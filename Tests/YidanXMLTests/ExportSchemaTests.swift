import Foundation
import Testing
import YidanXML

/// The project's export schema (`Mappings/schemas/ceb-export.xsd`) against the official export
/// XSD and the official export samples.
///
/// The samples are known to be defective (`../shared/reference/ceb/SOURCES.md`): CEB303, CEB403,
/// CEB505 and CEB603 carry the `<ceb:BaseTransfer>` block twice (two identical copies, copCode
/// 1105910159, dxpId DXPLGS0000000001, right before `ds:Signature`), which `xs:sequence` forbids.
/// The fix applied in memory here is exactly: remove the SECOND `BaseTransfer` child of the root.
/// Nothing else is changed; the signature is not re-computed (schema validation does not check it).
/// Besides that, the samples hold placeholders the XSD cannot catch: CEB303 OrderList `unit` and
/// `currency` are "aaa", CEB603 `ieFlag` is "a" (export is "E") and `tradeMode` is "0101" (not a
/// cross-border trade mode). The receipts CEB304/404/506/604 have no known defect.
@Suite("Export schema")
struct ExportSchemaTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let reference = root.appendingPathComponent("../shared/reference/ceb/202205", isDirectory: true)
        .standardizedFileURL
    static let ours = root.appendingPathComponent("Mappings/schemas/ceb-export.xsd")
    static let official = reference.appendingPathComponent("xsd/海关跨境出口业务节点报文定义202205.xsd")
    static let ceb = "http://www.chinaport.gov.cn/ceb"
    static let namespaces = ["c": ceb, "ds": "http://www.w3.org/2000/09/xmldsig#"]

    static let declarations = ["CEB303", "CEB403", "CEB505", "CEB603"]
    static let receipts = ["CEB304", "CEB404", "CEB506", "CEB604"]

    /// Both schemas, loaded by file path so their `xs:import` of XML-DSig resolves.
    static func schemas() throws -> [(name: String, schema: XMLSchema)] {
        [("ceb-export.xsd", try XMLSchema(contentsOf: ours)), ("official export XSD", try XMLSchema(contentsOf: official))]
    }

    static func sampleData(_ kind: String) throws -> Data {
        try Data(contentsOf: reference.appendingPathComponent("samples/export/\(kind)Message.xml"))
    }

    /// The official sample with its duplicate `BaseTransfer` removed (see the suite comment).
    static func repairedSample(_ kind: String) throws -> XMLDocument {
        let document = try XMLDocument.parse(sampleData(kind))
        let transfers = try document.select("/c:*/c:BaseTransfer", namespaces: namespaces)
        try #require(transfers.count == 2, "\(kind) no longer repeats BaseTransfer: the sample changed")
        #expect(transfers[0].elementChildren.map(\.text) == transfers[1].elementChildren.map(\.text))
        transfers[1].remove()
        return document
    }

    // MARK: samples

    @Test("the receipts validate as shipped against both schemas", arguments: receipts)
    func receiptValidates(kind: String) throws {
        for (name, schema) in try Self.schemas() {
            let issues = try schema.validate(Self.sampleData(kind))
            #expect(issues.isEmpty, "\(kind) against \(name): \(issues)")
        }
    }

    @Test("a declaration sample as shipped fails both schemas on the repeated BaseTransfer", arguments: declarations)
    func shippedDeclarationFails(kind: String) throws {
        for (name, schema) in try Self.schemas() {
            let issues = try schema.validate(Self.sampleData(kind))
            #expect(!issues.isEmpty, "\(kind) validated against \(name)")
            #expect(issues.contains { $0.path.hasSuffix("BaseTransfer[2]") || $0.message.contains("BaseTransfer") },
                    "\(kind) against \(name): \(issues)")
        }
    }

    @Test("a declaration sample without the duplicate BaseTransfer validates against both schemas", arguments: declarations)
    func repairedDeclarationValidates(kind: String) throws {
        for (name, schema) in try Self.schemas() {
            let issues = schema.validate(try Self.repairedSample(kind))
            #expect(issues.isEmpty, "\(kind) against \(name): \(issues)")
        }
    }

    // MARK: both schemas reject the same mistakes

    /// One broken copy of a repaired sample; `mentions` must appear in an issue of each schema.
    struct Mutation: CustomTestStringConvertible, Sendable {
        var name: String
        var sample: String
        var change: @Sendable (XMLDocument) throws -> Void
        var mentions: String
        var testDescription: String { name }
    }

    static func first(_ document: XMLDocument, _ xpath: String) throws -> XMLNode {
        try #require(try document.select(xpath, namespaces: namespaces).first, "no node at \(xpath)")
    }

    static let mutations: [Mutation] = [
        Mutation(name: "303 without orderNo", sample: "CEB303",
                 change: { try first($0, "//c:OrderHead/c:orderNo").remove() }, mentions: "orderNo"),
        Mutation(name: "303 ebpCode of 19 characters", sample: "CEB303",
                 change: { try first($0, "//c:OrderHead/c:ebpCode").setText(String(repeating: "9", count: 19)) }, mentions: "ebpCode"),
        Mutation(name: "403 charge with 6 decimals", sample: "CEB403",
                 change: { try first($0, "//c:Receipts/c:charge").setText("1.123456") }, mentions: "charge"),
        Mutation(name: "403 without accountingDate", sample: "CEB403",
                 change: { try first($0, "//c:Receipts/c:accountingDate").remove() }, mentions: "accountingDate"),
        Mutation(name: "505 goodsInfo of 201 characters", sample: "CEB505",
                 change: { try first($0, "//c:Logistics/c:goodsInfo").setText(String(repeating: "x", count: 201)) }, mentions: "goodsInfo"),
        Mutation(name: "603 fFlag other than 3", sample: "CEB603",
                 change: { try first($0, "//c:InventoryHead/c:fFlag").setText("1") }, mentions: "fFlag"),
        Mutation(name: "603 POD of 5 characters", sample: "CEB603",
                 change: { try first($0, "//c:InventoryHead/c:POD").setText("ABCDE") }, mentions: "POD"),
        Mutation(name: "603 without statisticsFlag", sample: "CEB603",
                 change: { try first($0, "//c:InventoryHead/c:statisticsFlag").remove() }, mentions: "statisticsFlag"),
        Mutation(name: "603 gcode of 9 characters", sample: "CEB603",
                 change: { try first($0, "//c:InventoryList/c:gcode").setText("123456789") }, mentions: "gcode"),
        Mutation(name: "603 without BaseTransfer", sample: "CEB603",
                 change: { try first($0, "/c:*/c:BaseTransfer").remove() }, mentions: "Signature"),
    ]

    @Test("a broken declaration fails both schemas, naming the same element", arguments: mutations)
    func brokenDeclarationFails(mutation: Mutation) throws {
        for (name, schema) in try Self.schemas() {
            let document = try Self.repairedSample(mutation.sample)
            try mutation.change(document)
            let issues = schema.validate(document)
            #expect(issues.contains { $0.message.contains(mutation.mentions) }, "\(mutation.name) against \(name): \(issues)")
        }
    }

    /// Text of a repaired sample, for changes the node API cannot make (reordering, inserting).
    static func repairedText(_ kind: String) throws -> String {
        String(decoding: try repairedSample(kind).serialized(), as: UTF8.self)
    }

    @Test("swapping appType and appTime fails both schemas")
    func swappedElementsFail() throws {
        let text = try Self.repairedText("CEB505")
        let pair = #/(<ceb:appType>[^<]*</ceb:appType>)(\s*)(<ceb:appTime>[^<]*</ceb:appTime>)/#
        let match = try #require(text.firstMatch(of: pair))
        var moved = text
        moved.replaceSubrange(match.range, with: match.output.3 + match.output.2 + match.output.1)
        #expect(moved != text)
        for (name, schema) in try Self.schemas() {
            let issues = try schema.validate(Data(moved.utf8))
            #expect(issues.contains { $0.message.contains("appTime") || $0.message.contains("appType") }, "\(name): \(issues)")
        }
    }

    /// Export messages put `ds:Signature` before `ExtendMessage` (imports put it after).
    @Test("ExtendMessage after the signature validates, before it fails, in both schemas")
    func signatureComesBeforeExtendMessage() throws {
        let text = try Self.repairedText("CEB303")
        let extend = "<ceb:ExtendMessage><ceb:name>yidan</ceb:name><ceb:version>1</ceb:version><ceb:Message/></ceb:ExtendMessage>"
        let after = text.replacingOccurrences(of: "</ds:Signature>", with: "</ds:Signature>" + extend)
        let signatureStart = try #require(text.range(of: "<ds:Signature"))
        var before = text
        before.insert(contentsOf: extend, at: signatureStart.lowerBound)
        #expect(after != text && before != text)
        for (name, schema) in try Self.schemas() {
            let good = try schema.validate(Data(after.utf8))
            #expect(good.isEmpty, "\(name): \(good)")
            let bad = try schema.validate(Data(before.utf8))
            #expect(bad.contains { $0.message.contains("Signature") }, "\(name): \(bad)")
        }
    }

    // MARK: structure

    @Test("ceb-export.xsd has the official element order, cardinality and facets", arguments: declarations + receipts)
    func sameOutline(kind: String) throws {
        let ours = try SchemaOutline(contentsOf: Self.ours).lines(ofRoot: "\(kind)Message")
        let official = try SchemaOutline(contentsOf: Self.official).lines(ofRoot: "\(kind)Message")
        #expect(ours.count > 5 && ours.contains("\(kind)Message/@guid length=36 required string"))
        let difference = SchemaOutline.difference(ours, official)
        #expect(difference.isEmpty, "\(kind) differs from the official XSD:\n\(difference)")
    }
}

/// An XSD flattened into one line per element or attribute, in document order:
/// `CEB303Message/Order/OrderHead/orderNo 1..1 string maxLength=60`. Named and inline types,
/// element references and model groups are resolved, so two schemas written in different
/// styles compare equal exactly when they accept the same element order, cardinality and facets.
struct SchemaOutline {
    let document: XMLDocument
    static let xs = ["xs": "http://www.w3.org/2001/XMLSchema"]

    init(contentsOf url: URL) throws {
        document = try XMLDocument.parse(Data(contentsOf: url))
    }

    func lines(ofRoot name: String) throws -> [String] {
        let root = try global("element", name)
        var lines: [String] = []
        try element(root, path: name, occurs: "1..1", into: &lines)
        return lines
    }

    /// A top-level declaration of this schema (`element`, `complexType`, `simpleType`, `group`).
    func global(_ kind: String, _ name: String) throws -> XMLNode {
        try #require(try find(kind, name), "no top-level \(kind) \(name)")
    }

    func find(_ kind: String, _ name: String) throws -> XMLNode? {
        try document.select("/xs:schema/xs:\(kind)[@name='\(name)']", namespaces: Self.xs).first
    }

    static func local(_ qualified: String) -> String {
        String(qualified.split(separator: ":").last ?? "")
    }

    static func occurs(_ node: XMLNode) -> String {
        "\(node.attribute("minOccurs") ?? "1")..\(node.attribute("maxOccurs") ?? "1")"
    }

    func element(_ node: XMLNode, path: String, occurs: String, into lines: inout [String]) throws {
        var facets: [String] = []
        if let fixed = node.attribute("fixed") { facets.append("fixed=\(fixed)") }
        var complex: XMLNode? = node.firstChild("complexType")
        if let type = node.attribute("type") {
            if type.hasPrefix("xs:") {
                facets.append(Self.local(type))
            } else if let simple = try find("simpleType", Self.local(type)) {
                facets += try simpleFacets(simple)
            } else {
                complex = try global("complexType", Self.local(type))
            }
        } else if let simple = node.firstChild("simpleType") {
            facets += try simpleFacets(simple)
        }
        lines.append("\(path) \(occurs) \(facets.sorted().joined(separator: " "))".trimmingCharacters(in: .whitespaces))
        guard let complex else { return }
        for child in complex.elementChildren {
            try particle(child, path: path, into: &lines)
        }
    }

    /// The content of a complex type: sequences, elements, references, groups, attributes.
    func particle(_ node: XMLNode, path: String, into lines: inout [String]) throws {
        switch node.localName {
        case "sequence":
            if Self.occurs(node) != "1..1" { lines.append("\(path) sequence \(Self.occurs(node))") }
            for child in node.elementChildren { try particle(child, path: path, into: &lines) }
        case "element":
            if let ref = node.attribute("ref") {
                if ref.hasPrefix("ds:") {
                    lines.append("\(path)/\(ref) \(Self.occurs(node))")
                } else {
                    let target = try global("element", Self.local(ref))
                    try element(target, path: "\(path)/\(Self.local(ref))", occurs: Self.occurs(node), into: &lines)
                }
            } else {
                let name = try #require(node.attribute("name"))
                try element(node, path: "\(path)/\(name)", occurs: Self.occurs(node), into: &lines)
            }
        case "group":
            let group = try global("group", Self.local(try #require(node.attribute("ref"))))
            for child in group.elementChildren { try particle(child, path: path, into: &lines) }
        case "attributeGroup":
            let group = try global("attributeGroup", Self.local(try #require(node.attribute("ref"))))
            for child in group.elementChildren { try particle(child, path: path, into: &lines) }
        case "attribute":
            let name = try #require(node.attribute("name"))
            var facets = [node.attribute("use") ?? "optional"]
            if let type = node.attribute("type"), !type.hasPrefix("xs:") {
                facets += try simpleFacets(try global("simpleType", Self.local(type)))
            } else if let simple = node.firstChild("simpleType") {
                facets += try simpleFacets(simple)
            }
            lines.append("\(path)/@\(name) \(facets.sorted().joined(separator: " "))")
        case "any":
            lines.append("\(path)/any \(Self.occurs(node)) \(node.attribute("processContents") ?? "strict")")
        case "annotation":
            break
        default:
            Issue.record("\(path): unexpected \(node.localName) in a content model")
        }
    }

    /// Base type and facets of a simple type, following named bases; `minLength=0` is no facet.
    func simpleFacets(_ simple: XMLNode) throws -> [String] {
        let restriction = try #require(simple.firstChild("restriction"), "only restrictions are compared")
        let base = restriction.attribute("base") ?? ""
        var facets = base.hasPrefix("xs:") ? [Self.local(base)] : try simpleFacets(try global("simpleType", Self.local(base)))
        for facet in restriction.elementChildren where facet.localName != "annotation" {
            let text = "\(facet.localName)=\(facet.attribute("value") ?? "")"
            if text != "minLength=0" { facets.append(text) }
        }
        return facets
    }

    /// The lines only one side has, for a readable failure.
    static func difference(_ ours: [String], _ official: [String]) -> String {
        let diff = ours.difference(from: official)
        return diff.map { change in
            switch change {
            case .insert(let offset, let line, _): "+ ours[\(offset)] \(line)"
            case .remove(let offset, let line, _): "- official[\(offset)] \(line)"
            }
        }.joined(separator: "\n")
    }
}
