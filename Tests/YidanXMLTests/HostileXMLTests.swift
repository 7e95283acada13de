import Foundation
import Testing
import YidanCore
import YidanXML

/// Documents an attacker could send instead of a receipt. Each must be refused
/// outright, without expanding entities, reading files or touching the network.
@Suite("Hardened parsing refuses hostile XML")
struct HostileXMLTests {
    static let billionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <lolz>&lol9;</lolz>
        """

    static let externalFileEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
        <r>&xxe;</r>
        """

    static let externalParameterEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE r [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]>
        <r/>
        """

    /// Port 9 on loopback: nothing listens, and nothing must even try.
    static let externalDTDOverHTTP = """
        <?xml version="1.0"?>
        <!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">
        <r>&ent;</r>
        """

    static let publicDTD = """
        <?xml version="1.0"?>
        <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
        <html/>
        """

    /// Quadratic blowup: one big entity referenced many times (each reference
    /// would copy it). Needs a DTD, so it is refused before any expansion.
    static let quadraticBlowup: String = {
        let big = String(repeating: "x", count: 50_000)
        let references = String(repeating: "&big;", count: 50_000)
        return "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY big \"\(big)\">]><r>\(references)</r>"
    }()

    @Test("documents with a DOCTYPE are refused with a clear error", arguments: [
        ("quadratic blowup", quadraticBlowup),
        ("billion laughs", billionLaughs),
        ("external entity to /etc/passwd", externalFileEntity),
        ("external parameter entity", externalParameterEntity),
        ("external DTD over http", externalDTDOverHTTP),
        ("public DTD", publicDTD),
    ])
    func refusesDoctype(_ name: String, _ xml: String) throws {
        let error = try #require(throws: YidanError.self) { try XMLDocument.parse(Data(xml.utf8)) }
        #expect(error.code == .xml)
        #expect(error.message.contains("DOCTYPE"))
        #expect(!error.debugDescription.contains("root:"), "no file content may leak into the error")
    }

    @Test("an undeclared entity reference is an error, not a lookup")
    func undeclaredEntity() throws {
        let error = try #require(throws: YidanError.self) {
            try XMLDocument.parse(Data("<r>&xxe;</r>".utf8))
        }
        #expect(error.message.contains("xxe"))
        #expect(error.message.contains("line 1"))
    }

    @Test("character references still work without a DTD")
    func characterReferences() throws {
        let document = try XMLDocument.parse(Data("<r a=\"&lt;&#20013;\">&amp;&#x56FD;</r>".utf8))
        #expect(document.root?.text == "&国")
        #expect(document.root?.attribute("a") == "<中")
    }

    @Test("deep nesting beyond libxml2's limit is refused")
    func deepNesting() throws {
        let depth = 300
        let xml = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(throws: YidanError.self) { try XMLDocument.parse(Data(xml.utf8)) }
    }

    @Test("nesting is bounded at 256 levels with an error that says so")
    func depthLimit() throws {
        func nested(_ depth: Int) -> Data {
            Data((String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)).utf8)
        }
        #expect(XMLDocument.defaultMaxDepth == 256)
        _ = try XMLDocument.parse(nested(256))
        let error = try #require(throws: YidanError.self) { try XMLDocument.parse(nested(257)) }
        #expect(error.code == .xml)
        #expect(error.message == "XML refused: elements nest deeper than the limit of 256 levels")
        // A caller may ask for less; siblings do not add depth.
        let siblings = Data(("<r>" + String(repeating: "<a><b/></a>", count: 1000) + "</r>").utf8)
        _ = try XMLDocument.parse(siblings, maxDepth: 3)
        #expect(throws: YidanError.self) { try XMLDocument.parse(nested(4), maxDepth: 3) }
    }

    @Test("documents over the size limit are refused before parsing")
    func sizeLimit() throws {
        let small = Data(("<r>" + String(repeating: "y", count: 2000) + "</r>").utf8)
        let error = try #require(throws: YidanError.self) { try XMLDocument.parse(small, maxBytes: 1024) }
        #expect(error.code == .xml)
        #expect(error.message == "XML refused: the document is \(small.count) bytes, more than the limit of 1024")
        var huge = Data("<r>".utf8)
        huge.append(Data(repeating: UInt8(ascii: "z"), count: XMLDocument.defaultMaxBytes))
        huge.append(Data("</r>".utf8))
        let hugeError = try #require(throws: YidanError.self) { try XMLDocument.parse(huge) }
        #expect(hugeError.message.contains("more than the limit of \(XMLDocument.defaultMaxBytes)"))
    }

    @Test("a start tag with thousands of attributes (libxml2's quadratic duplicate check) is refused")
    func attributeBlowup() throws {
        let attributes = (0..<80_000).map { "a\($0)=\"\"" }.joined(separator: " ")
        let error = try #require(throws: YidanError.self) {
            try XMLDocument.parse(Data("<?xml version=\"1.0\"?>\n<r>\n<e \(attributes)/></r>".utf8))
        }
        #expect(error.message == "XML refused: a start tag on line 3 has 257 or more attributes, more than the limit of 256")
        let namespaces = (0..<1000).map { "xmlns:p\($0)=\"urn:\($0)\"" }.joined(separator: " ")
        #expect(throws: YidanError.self) { try XMLDocument.parse(Data("<r \(namespaces)/>".utf8)) }
    }

    @Test("'=' inside values, comments, CDATA and instructions is not counted as an attribute")
    func attributeCountIgnoresText() throws {
        let many = String(repeating: "=", count: 1000)
        let xml = """
            <?xml version="1.0"?><?note \(many)?>
            <r a="\(many)" b='\(many)'><!-- \(many) --><![CDATA[\(many) <x \(many)>]]>\(many)<c d="1"/></r>
            """
        let document = try XMLDocument.parse(Data(xml.utf8))
        #expect(document.root?.attribute("a") == many)
    }
}
