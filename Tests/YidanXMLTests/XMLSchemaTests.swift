import Foundation
import Testing
import YidanCore
import YidanXML

/// A small schema of the test's own, split over two files so `xs:include`
/// resolution relative to the main file is exercised too.
@Suite("XMLSchema validation with structured issues")
struct XMLSchemaTests {
    static let mainSchema = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
                   xmlns:t="urn:yidan:test" targetNamespace="urn:yidan:test"
                   elementFormDefault="qualified">
          <xs:include schemaLocation="types/test-types.xsd"/>
          <xs:element name="Order">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="orderNo" type="t:OrderNo"/>
                <xs:element name="buyerIdNumber" type="t:IdNumber"/>
                <xs:element name="amount" type="xs:decimal"/>
                <xs:element name="note" type="xs:string" minOccurs="0"/>
              </xs:sequence>
              <xs:attribute name="guid" type="xs:string" use="required"/>
            </xs:complexType>
          </xs:element>
        </xs:schema>
        """

    static let typesSchema = """
        <?xml version="1.0" encoding="UTF-8"?>
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:yidan:test"
                   elementFormDefault="qualified">
          <xs:simpleType name="OrderNo">
            <xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="20"/></xs:restriction>
          </xs:simpleType>
          <xs:simpleType name="IdNumber">
            <xs:restriction base="xs:string"><xs:length value="18"/></xs:restriction>
          </xs:simpleType>
        </xs:schema>
        """

    /// Writes the two schema files into a temporary folder and loads the main one.
    static func loadSchema() throws -> (XMLSchema, URL) {
        let folder = try XMLTestSupport.temporaryDirectory()
        let types = folder.appendingPathComponent("types", isDirectory: true)
        try FileManager.default.createDirectory(at: types, withIntermediateDirectories: true)
        try Data(typesSchema.utf8).write(to: types.appendingPathComponent("test-types.xsd"))
        let main = folder.appendingPathComponent("订单-test-order.xsd")
        try Data(mainSchema.utf8).write(to: main)
        return (try XMLSchema(contentsOf: main), folder)
    }

    static func order(orderNo: String = "NO-1", idNumber: String = "110101199003071234", amount: String = "12.50") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <t:Order xmlns:t="urn:yidan:test" guid="G-1">
          <t:orderNo>\(orderNo)</t:orderNo>
          <t:buyerIdNumber>\(idNumber)</t:buyerIdNumber>
          <t:amount>\(amount)</t:amount>
        </t:Order>
        """
    }

    @Test("a valid document has no issues")
    func valid() throws {
        let (schema, folder) = try Self.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try schema.validate(Data(Self.order().utf8)).isEmpty)

        let built = XMLDocument(rootName: "Order", namespaceURI: "urn:yidan:test", prefix: "t")
        let root = try #require(built.root)
        root.setAttribute("guid", "G-2")
        root.addChild("orderNo", text: "订单1")
        root.addChild("buyerIdNumber", text: "110101199003071234")
        root.addChild("amount", text: "1")
        #expect(schema.validate(built).isEmpty)
    }

    @Test("a wrong element gives an issue with its path, line and name")
    func unexpectedElement() throws {
        let (schema, folder) = try Self.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        let xml = Self.order().replacingOccurrences(of: "<t:amount>12.50</t:amount>", with: "<t:total>12.50</t:total>")
        let issues = try schema.validate(Data(xml.utf8))
        let issue = try #require(issues.first)
        #expect(issues.count == 1)
        #expect(issue.path == "/t:Order/t:total")
        #expect(issue.line == 5)
        #expect(issue.message.contains("total"))
        #expect(issue.message.contains("amount"), "libxml2 names the expected element")
        #expect(issue.description == "/t:Order/t:total (line 5): \(issue.message)")
    }

    @Test("facet and type violations name the element but not the value")
    func redactsValues() throws {
        let (schema, folder) = try Self.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        let issues = try schema.validate(Data(Self.order(idNumber: "11010119900307", amount: "12,50").utf8))
        #expect(issues.count == 2)
        let idIssue = try #require(issues.first { $0.path == "/t:Order/t:buyerIdNumber" })
        #expect(idIssue.message.contains("buyerIdNumber"))
        #expect(idIssue.message.contains("length"))
        #expect(!idIssue.message.contains("11010119900307"), "ID numbers must not appear in issues")
        let amountIssue = try #require(issues.first { $0.path == "/t:Order/t:amount" })
        #expect(amountIssue.message.contains("decimal"))
        #expect(!amountIssue.message.contains("12,50"))
    }

    @Test("a missing required attribute is reported on its element")
    func missingAttribute() throws {
        let (schema, folder) = try Self.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        let document = XMLDocument(rootName: "Order", namespaceURI: "urn:yidan:test", prefix: "t")
        let root = try #require(document.root)
        root.addChild("orderNo", text: "1")
        root.addChild("buyerIdNumber", text: "110101199003071234")
        root.addChild("amount", text: "1")
        let issues = schema.validate(document)
        #expect(issues.map(\.path) == ["/t:Order"])
        #expect(issues.first?.message.contains("guid") == true)
    }

    @Test("hostile bytes are refused before validation")
    func hostileInput() throws {
        let (schema, folder) = try Self.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: YidanError.self) { try schema.validate(Data(HostileXMLTests.externalFileEntity.utf8)) }
    }

    @Test("a missing or broken schema throws YidanError(.schema)")
    func brokenSchema() throws {
        let folder = try XMLTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.xsd")
        #expect(throws: YidanError.self) { try XMLSchema(contentsOf: missing) }
        let broken = folder.appendingPathComponent("broken.xsd")
        try Data(Self.mainSchema.utf8).write(to: broken) // its include is missing here
        let error = try #require(throws: YidanError.self) { try XMLSchema(contentsOf: broken) }
        #expect(error.code == .schema)
    }

    @Test("the official import schema loads (with its xmldsig import) and accepts the official samples",
          arguments: ["CEB311Message.xml", "CEB411Message.xml", "CEB511Message.xml", "CEB621Message.xml", "CEB312Message.xml", "CEB622Message.xml"])
    func officialSchema(_ sample: String) throws {
        let schemaURL = XMLTestSupport.packageRoot
            .appendingPathComponent("../shared/reference/ceb/202205/xsd/海关跨境进口业务节点报文定义202205.xsd")
            .standardizedFileURL
        let schema = try XMLSchema(contentsOf: schemaURL)
        let issues = try schema.validate(XMLTestSupport.importSample(sample))
        #expect(issues.isEmpty, "\(issues)")
    }
}
