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

    /// The excluded element is spliced out of its siblings' links while
    /// libxml2 writes: first, middle and last child, between text nodes.
    @Test("excluding a first, middle or last child leaves the text around it and the tree as it was",
          arguments: [
            ("<r><s><i/></s> t1 <a/> t2 </r>", "<r> t1 <a></a> t2 </r>"),
            ("<r> t1 <a/> t2 <s><i/></s> t3 <b/></r>", "<r> t1 <a></a> t2  t3 <b></b></r>"),
            ("<r><a/> t1 <s><i/></s></r>", "<r><a></a> t1 </r>"),
            ("<r><s/></r>", "<r></r>"),
          ])
    func excludingAnyChild(_ xml: String, _ expected: String) throws {
        let document = try XMLDocument.parse(Data(xml.utf8))
        let before = document.serialized()
        let excluded = try #require(document.root?.firstChild("s"))
        let canonical = try document.canonicalized(excluding: excluded)
        #expect(String(decoding: canonical, as: UTF8.self) == expected)
        #expect(document.serialized() == before)
        // Twice gives the same bytes: the links were put back.
        #expect(try document.canonicalized(excluding: excluded) == canonical)
        #expect(try document.canonicalized() == Data(xml.replacingOccurrences(of: "<i/>", with: "<i></i>")
            .replacingOccurrences(of: "<a/>", with: "<a></a>").replacingOccurrences(of: "<b/>", with: "<b></b>")
            .replacingOccurrences(of: "<s/>", with: "<s></s>").utf8))
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

    /// While libxml2 writes, each ancestor keeps only the path down to the
    /// subtree as its child; siblings before and after at every level, and
    /// what the subtree inherits (namespaces, `xml:lang`) must come out as
    /// without that, and the tree must be whole afterwards.
    @Test("a subtree among siblings at every level inherits namespaces and xml:lang, and the tree is left whole")
    func subtreeAmongSiblings() throws {
        let xml = """
            <r xmlns="urn:r" xml:lang="zh"><a>1</a> t <p xmlns:q="urn:q"><b/><q:S><q:I c="3">x<q:J/></q:I><q:K/></q:S>            <c/></p><d>2</d></r>
            """
        let document = try XMLDocument.parse(Data(xml.utf8))
        let before = document.serialized()
        let inner = try #require(document.root?.firstChild("p")?.firstChild("S")?.firstChild("I"))
        let canonical = try document.canonicalized(subtree: inner)
        #expect(String(decoding: canonical, as: UTF8.self)
            == "<q:I xmlns=\"urn:r\" xmlns:q=\"urn:q\" c=\"3\" xml:lang=\"zh\">x<q:J></q:J></q:I>")
        #expect(document.serialized() == before)
        #expect(try document.canonicalized(subtree: inner) == canonical)
    }
}
