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

    @Test("documents with a DOCTYPE are refused with a clear error", arguments: [
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
}
