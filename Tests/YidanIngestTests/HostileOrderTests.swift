import Foundation
import Testing
import YidanCore
import YidanIngest

/// Order documents written to hurt: each is refused with a FieldIssue naming
/// the field (or the document, for bytes that are not JSON), never stored.
@Suite struct HostileOrderTests {
    static func issues(setting path: [String], to value: String) throws -> [FieldIssue] {
        OrderFixtures.issues(try OrderFixtures.milkPowder().setting(path, to: .string(value)).data)
    }

    @Test("order numbers that would be SQL, a path or a file name are refused by their rule", arguments: [
        "1'; DROP TABLE orders;--", "../../etc/passwd", "..", "a/b", "a\\b", "x\" OR \"1\"=\"1", "%2e%2e%2f", "NUL\u{0}", "名字",
    ])
    func hostileOrderNumbers(_ orderNo: String) throws {
        let issues = try Self.issues(setting: ["orderNo"], to: orderNo)
        #expect(issues.map(\.pointer) == ["/orderNo"])
        #expect(issues.first?.rule == "must be 1-60 characters of [A-Za-z0-9_-]")
        #expect(issues.first?.value?.contains("\u{0}") == false)
    }

    @Test("identifiers that become file or key names refuse '../' too", arguments: [
        (["platform"], "../x"), (["payment", "transactionId"], "../../x"), (["logistics", "waybillNo"], "a/../../b"),
    ])
    func hostileIdentifiers(_ path: [String], _ value: String) throws {
        let issues = try Self.issues(setting: path, to: value)
        #expect(issues.map(\.pointer) == ["/" + path.joined(separator: "/")])
    }

    @Test("escaped control characters in text fields are refused and shown escaped, never raw")
    func controlCharacters() throws {
        let issues = try Self.issues(setting: ["note"], to: "ok\u{1B}[2J\u{07}")
        #expect(issues == [FieldIssue(pointer: "/note", value: "ok\\u001B[2J\\u0007", rule: "must not contain control characters")])
        #expect(!issues[0].description.unicodeScalars.contains { $0.value == 0x1B })
        // C1 controls (U+0080–U+009F) are escaped in the shown value as well.
        let c1 = try Self.issues(setting: ["platform"], to: "p\u{9B}31m")
        #expect(c1.first?.value == "p\\u009B31m")
    }

    @Test("raw control bytes and invalid UTF-8 are not JSON: one document-level issue with line and column", arguments: [
        (Data("{\"orderNo\":\"A\u{01}\"}".utf8), "control character 0x1 must be escaped in a string"),
        (Data([0x7B, 0x22, 0x6F, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]), "invalid UTF-8 byte 0xFF"),
        (Data([0x7B, 0x22, 0x6F, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D]), "invalid UTF-8 byte 0xC0"),  // overlong '/'
        (Data([0x7B, 0x22, 0x6F, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D]), "invalid UTF-8 sequence"),  // encoded surrogate
        (Data("{\"orderNo\":\"\\uD800\"}".utf8), "high surrogate escape without a following low surrogate"),
    ])
    func notJSON(_ bytes: Data, _ reason: String) throws {
        let issues = OrderFixtures.issues(bytes)
        #expect(issues.count == 1)
        #expect(issues.first?.pointer == "")
        #expect(issues.first?.rule.contains(reason) == true, "\(issues)")
        #expect(issues.first?.rule.contains("line 1") == true)
    }

    @Test("a 10 MB field is refused by the document size limit before it is parsed")
    func tenMegabyteField() throws {
        let huge = String(repeating: "A", count: 10 << 20)
        let document = try OrderFixtures.milkPowder().setting(["note"], to: .string(huge)).data
        let issues = OrderFixtures.issues(document)
        #expect(issues.count == 1)
        #expect(issues.first?.rule.contains("more than the limit of \(1 << 20)") == true, "\(issues)")
        // Under the document limit, the field's own limit names it, and the shown value is clipped.
        let large = try Self.issues(setting: ["note"], to: String(repeating: "B", count: 500_000))
        #expect(large.map(\.pointer) == ["/note"])
        #expect(large.first?.rule == "must be at most 1000 characters (found 500000)")
        #expect((large.first?.value?.count ?? .max) <= 61)
    }

    @Test("nesting beyond 64 levels is refused, not recursed into")
    func deepNesting() {
        let deep = Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        let issues = OrderFixtures.issues(deep)
        #expect(issues.first?.rule.contains("nesting deeper than the limit of 64") == true)
    }
}
