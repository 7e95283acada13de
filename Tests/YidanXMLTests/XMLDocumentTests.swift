import Foundation
import Testing
import YidanCore
import YidanXML

@Suite("XMLDocument: building, parsing, XPath")
struct XMLDocumentTests {
    let ceb = XMLTestSupport.cebNamespace

    @Test("built document with namespaces and Chinese text survives serialize and reparse")
    func roundTrip() throws {
        let document = XMLDocument(rootName: "CEB311Message", namespaceURI: ceb, prefix: "ceb")
        let root = try #require(document.root)
        root.setAttribute("guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        let head = root.addChild("Order").addChild("OrderHead")
        head.addChild("ebpName", text: "东方物通科技(北京)有限公司")
        head.addChild("note", text: "a < b & c > \"d\"")
        let extra = root.addChild("Extra", namespaceURI: "urn:example:extra", prefix: "x", text: "附加")
        extra.addChild("Inner", text: "内")
        root.addChild("Plain", namespaceURI: "urn:example:default", prefix: nil, text: "默认")

        let bytes = document.serialized()
        let text = try #require(String(data: bytes, encoding: .utf8))
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(text.contains("<ceb:ebpName>东方物通科技(北京)有限公司</ceb:ebpName>"))
        #expect(text.contains("a &lt; b &amp; c &gt; \"d\""))
        #expect(text.contains("<x:Extra xmlns:x=\"urn:example:extra\">"))
        #expect(text.contains("<x:Inner>内</x:Inner>"))
        #expect(text.contains("<Plain xmlns=\"urn:example:default\">默认</Plain>"))

        let reparsed = try XMLDocument.parse(bytes)
        let reparsedRoot = try #require(reparsed.root)
        #expect(reparsedRoot.localName == "CEB311Message")
        #expect(reparsedRoot.namespaceURI == ceb)
        #expect(reparsedRoot.attribute("guid") == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        let reparsedHead = try #require(reparsedRoot.firstChild("Order", namespaceURI: ceb)?.firstChild("OrderHead", namespaceURI: ceb))
        #expect(reparsedHead.firstChild("ebpName", namespaceURI: ceb)?.text == "东方物通科技(北京)有限公司")
        #expect(reparsedHead.firstChild("note")?.text == "a < b & c > \"d\"")
        let reparsedExtra = try #require(reparsedRoot.firstChild("Extra", namespaceURI: "urn:example:extra"))
        #expect(reparsedExtra.prefix == "x")
        #expect(reparsedExtra.firstChild("Inner", namespaceURI: "urn:example:extra")?.text == "内")
        #expect(reparsedRoot.firstChild("Plain", namespaceURI: "urn:example:default")?.text == "默认")
        #expect(reparsedRoot.firstChild("Plain", namespaceURI: ceb) == nil)
        #expect(reparsed.serialized() == bytes)
    }

    @Test("a child added with a prefix already bound reuses the declaration")
    func reusesNamespaceInScope() throws {
        let document = XMLDocument(rootName: "Root", namespaceURI: ceb, prefix: "ceb")
        let root = try #require(document.root)
        root.addChild("Child", namespaceURI: ceb, prefix: "ceb", text: "1")
        let text = try #require(String(data: document.serialized(), encoding: .utf8))
        #expect(text.contains("<ceb:Child>1</ceb:Child>"))
        #expect(text.components(separatedBy: "xmlns:ceb=").count == 2)
    }

    @Test("trimmedText drops XML whitespace at both ends only, keeping inner spaces and other characters")
    func trimmedText() throws {
        let document = try XMLDocument.parse(Data("<r><a> \t\r\n 10.50 \n</a><b>\u{00A0}东 方\u{00A0}</b><c>  </c><d>plain</d></r>".utf8))
        let root = try #require(document.root)
        #expect(root.firstChild("a")?.trimmedText == "10.50")
        // No-break spaces are not XML whitespace: a field's value keeps them.
        #expect(root.firstChild("b")?.trimmedText == "\u{00A0}东 方\u{00A0}")
        #expect(root.firstChild("c")?.trimmedText == "")
        #expect(root.firstChild("d")?.trimmedText == "plain")
    }

    @Test("pretty serialization indents")
    func pretty() throws {
        let document = XMLDocument(rootName: "a")
        document.root?.addChild("b", text: "c")
        let text = try #require(String(data: document.serialized(pretty: true), encoding: .utf8))
        #expect(text == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>c</b>\n</a>\n")
    }

    @Test("prefixed import sample: elements found by namespace")
    func prefixedSample() throws {
        let document = try XMLDocument.parse(XMLTestSupport.importSample("CEB311Message.xml"))
        let root = try #require(document.root)
        #expect(root.localName == "CEB311Message")
        #expect(root.namespaceURI == ceb)
        let orders = root.children("Order", namespaceURI: ceb)
        #expect(orders.count == 6)
        let head = try #require(orders.first?.firstChild("OrderHead", namespaceURI: ceb))
        #expect(head.firstChild("orderNo", namespaceURI: ceb)?.text == "order20160321116421002")
        #expect(head.firstChild("ebpName", namespaceURI: ceb)?.text == "东方物通科技(北京)有限公司")
        let signature = try #require(root.elementChildren.last)
        #expect(signature.localName == "Signature")
        #expect(signature.namespaceURI == "http://www.w3.org/2000/09/xmldsig#")
        #expect(head.path == "/ceb:CEB311Message/ceb:Order[1]/ceb:OrderHead")
        #expect(head.line > 1)
    }

    @Test("default-namespace receipts parse by namespace URI", arguments: ["CEB312Message.xml", "CEB412Message.xml", "CEB512Message.xml", "CEB622Message.xml"])
    func defaultNamespaceReceipt(_ file: String) throws {
        let document = try XMLDocument.parse(XMLTestSupport.importSample(file))
        let root = try #require(document.root)
        #expect(root.namespaceURI == ceb)
        #expect(root.prefix == nil)
        let returnElement = try #require(root.elementChildren.first)
        #expect(returnElement.namespaceURI == ceb)
        #expect(returnElement.localName.hasSuffix("Return"))
        let guid = try #require(returnElement.firstChild("guid", namespaceURI: ceb))
        #expect(guid.text.count == 36)
        #expect(returnElement.firstChild("returnStatus", namespaceURI: ceb) != nil)
        #expect(returnElement.firstChild("guid", namespaceURI: "urn:other") == nil)
    }

    @Test("XPath with registered prefixes, independent of the document's prefixes")
    func xpath() throws {
        let receipt = try XMLDocument.parse(XMLTestSupport.importSample("CEB622Message.xml"))
        let statuses = try receipt.select("/c:CEB622Message/c:InventoryReturn/c:returnStatus", namespaces: ["c": ceb])
        #expect(statuses.count == 10)
        #expect(statuses.first?.text.isEmpty == false)

        let order = try XMLDocument.parse(XMLTestSupport.importSample("CEB311Message.xml"))
        let items = try order.select("//k:OrderList[k:gnum='2']/k:itemNo", namespaces: ["k": ceb])
        #expect(items.count == 6)
        #expect(Set(items.map(\.text)) == ["AF001-002"])
        let guids = try order.select("/k:CEB311Message/@guid", namespaces: ["k": ceb])
        #expect(guids.first?.text == "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        let firstOrder = try #require(order.root?.firstChild("Order", namespaceURI: ceb))
        #expect(try firstOrder.select("k:OrderList", namespaces: ["k": ceb]).count == 2)
        #expect(try order.select("//k:Nothing", namespaces: ["k": ceb]).isEmpty)
    }

    @Test("elements(named:namespaceURI:) finds what //p:name finds, in document order, nested or not")
    func elementsByName() throws {
        let xml = """
            <r xmlns:a="urn:a" xmlns:b="urn:b"><a:S n="1"><a:S n="2"/>text<b:S n="x"/></a:S><!-- c --><x><y><a:S n="3"/></y></x>            <S n="y"/><a:S n="4"/></r>
            """
        let document = try XMLDocument.parse(Data(xml.utf8))
        let found = document.elements(named: "S", namespaceURI: "urn:a")
        #expect(found.map { $0.attribute("n") } == ["1", "2", "3", "4"])
        let viaXPath = try document.select("//p:S", namespaces: ["p": "urn:a"])
        #expect(viaXPath.map { $0.attribute("n") } == found.map { $0.attribute("n") })
        #expect(document.elements(named: "S", namespaceURI: "urn:none").isEmpty)
        #expect(document.elements(named: "r", namespaceURI: "urn:a").isEmpty)
    }

    @Test("invalid XPath and non-node results throw YidanError(.xml)")
    func xpathErrors() throws {
        let document = XMLDocument(rootName: "a")
        #expect(throws: YidanError.self) { try document.select("//[") }
        #expect(throws: YidanError.self) { try document.select("count(//a)") }
        #expect(throws: YidanError.self) { try document.select("//u:a") }
    }

    @Test("malformed XML reports line and column")
    func malformed() throws {
        let data = Data("<?xml version=\"1.0\"?>\n<a>\n  <b></c>\n</a>".utf8)
        let error = try #require(throws: YidanError.self) { try XMLDocument.parse(data) }
        #expect(error.code == .xml)
        #expect(error.message.contains("line 3"))
        #expect(error.message.contains("mismatch"))
        #expect(throws: YidanError.self) { try XMLDocument.parse(Data()) }
    }

    @Test("remove unlinks a node")
    func remove() throws {
        let document = XMLDocument(rootName: "a")
        let root = try #require(document.root)
        root.addChild("b")
        root.addChild("c").remove()
        #expect(root.elementChildren.map(\.localName) == ["b"])
    }
}
