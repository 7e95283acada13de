import Foundation
import Testing
import YidanXML

@Suite("Canonical XML 1.0")
struct XMLCanonicalizationTests {
    /// Attribute order, namespace declarations, empty elements, character
    /// references, whitespace and a comment: the cases C14N rewrites.
    static let input = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- comment before -->
        <ceb:Msg xmlns:ceb="http://www.chinaport.gov.cn/ceb" z="1" a="&#x41;" xmlns:x="urn:x" version="1.0">
          <ceb:Empty/>
          <ceb:Text>中文 &amp; &lt;tag&gt; "q" &#13;</ceb:Text><!-- inner comment -->
          <x:Other x:attr="v&#9;t" ceb:y='single'/>
          <Default xmlns="urn:d"><Inner xmlns="urn:d"/></Default>
        </ceb:Msg>
        """

    static let expected = """
        <ceb:Msg xmlns:ceb="http://www.chinaport.gov.cn/ceb" xmlns:x="urn:x" a="A" version="1.0" z="1">
          <ceb:Empty></ceb:Empty>
          <ceb:Text>中文 &amp; &lt;tag&gt; "q" &#xD;</ceb:Text>
          <x:Other ceb:y="single" x:attr="v&#x9;t"></x:Other>
          <Default xmlns="urn:d"><Inner></Inner></Default>
        </ceb:Msg>
        """

    @Test("matches the expected canonical bytes")
    func expectedBytes() throws {
        let document = try XMLDocument.parse(Data(Self.input.utf8))
        let canonical = try document.canonicalized()
        #expect(String(decoding: canonical, as: UTF8.self) == Self.expected)
    }

    /// `xmllint --c14n` keeps comments (yidan's C14N, as XML-DSig's default,
    /// drops them), so it is compared on documents without comments.
    static let inputWithoutComments = input
        .replacingOccurrences(of: "<!-- comment before -->\n", with: "")
        .replacingOccurrences(of: "<!-- inner comment -->", with: "")

    @Test("matches xmllint --c14n on the same documents",
          arguments: ["inline", "CEB311Message.xml", "CEB622Message.xml"])
    func matchesXmllint(_ source: String) throws {
        let folder = try XMLTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = source == "inline" ? Data(Self.inputWithoutComments.utf8) : try XMLTestSupport.importSample(source)
        let file = folder.appendingPathComponent("input.xml")
        try bytes.write(to: file)
        guard let result = try XMLTestSupport.run(["/usr/bin/xmllint", "/usr/local/bin/xmllint"], ["--c14n", file.path]) else {
            Issue.record("xmllint is not installed: install the Debian package libxml2-utils")
            return
        }
        #expect(result.status == 0)
        let ours = try XMLDocument.parse(bytes).canonicalized()
        #expect(ours == result.output)
    }

    @Test("excluding a subtree drops it and nothing else")
    func excluding() throws {
        let xml = "<r xmlns:ds=\"urn:ds\"><a>1</a><ds:S k=\"v\"><ds:I>x</ds:I></ds:S><b/></r>"
        let document = try XMLDocument.parse(Data(xml.utf8))
        let signature = try #require(document.root?.firstChild("S"))
        let canonical = try document.canonicalized(excluding: signature)
        #expect(String(decoding: canonical, as: UTF8.self) == "<r xmlns:ds=\"urn:ds\"><a>1</a><b></b></r>")
        // The document itself is untouched.
        #expect(document.root?.elementChildren.count == 3)
    }

    @Test("a subtree carries the namespaces it inherits")
    func subtree() throws {
        let xml = "<r xmlns=\"urn:r\" xmlns:ds=\"urn:ds\" xmlns:u=\"urn:unused\"><ds:S><ds:I   b=\"2\" a=\"1\">x</ds:I></ds:S></r>"
        let document = try XMLDocument.parse(Data(xml.utf8))
        let inner = try #require(document.root?.firstChild("S")?.firstChild("I"))
        let canonical = try document.canonicalized(subtree: inner)
        #expect(String(decoding: canonical, as: UTF8.self)
            == "<ds:I xmlns=\"urn:r\" xmlns:ds=\"urn:ds\" xmlns:u=\"urn:unused\" a=\"1\" b=\"2\">x</ds:I>")
    }
}
