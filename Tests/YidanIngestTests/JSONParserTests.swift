import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite struct JSONParserTests {
    let parser = JSONParser()

    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try parser.parse(Array(text.utf8)) }

    func syntaxError(_ bytes: [UInt8], parser: JSONParser = JSONParser()) -> JSONSyntaxError? {
        do {
            _ = try parser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func bigNumbersKeepTheirExactText() throws {
        let value = try parse(#"{"amount": 12345678901234567890.12, "tiny": -0.000000000000000000000000001, "e": 1E+2}"#)
        #expect(value["amount"] == .number("12345678901234567890.12"))
        #expect(value["tiny"] == .number("-0.000000000000000000000000001"))
        #expect(value["e"] == .number("1E+2"))
        guard case let .number(text)? = value["amount"] else { Issue.record("not a number"); return }
        // The literal goes to Decimal exactly: no Double in between.
        #expect(Money.parse(text) == Decimal(string: "12345678901234567890.12"))
        #expect(Money.format(Money.parse(text) ?? 0) == "12345678901234567890.12")
    }

    @Test func objectsKeepOrderAndDuplicates() throws {
        let value = try parse(#"{"b": 1, "a": [true, false, null], "b": "x"}"#)
        guard case let .object(members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members[1].value == .array([.bool(true), .bool(false), .null]))
        #expect(value["b"] == .number("1"))
    }

    @Test func escapesAndSurrogatePairs() throws {
        let value = try parse(#"["\"\\\/\b\f\n\r\t", "\u00e9\u4E2D", "\ud83d\ude00", "直接 UTF-8 ✓"]"#)
        #expect(value == .array([
            .string("\"\\/\u{08}\u{0C}\n\r\t"), .string("é中"), .string("😀"), .string("直接 UTF-8 ✓"),
        ]))
    }

    @Test(arguments: [
        (#"["\ud83d"]"#, "high surrogate escape without a following low surrogate"),
        (#"["\ude00"]"#, "low surrogate escape without a preceding high surrogate"),
        (#"["\ud83d\u0041"]"#, "high surrogate escape followed by a non-low surrogate"),
        (#"["\x"]"#, "invalid escape '\\x'"),
        (#"["\u12"]"#, "a \\u escape needs four hex digits"),
        (#"[01]"#, "numbers must not have leading zeros"),
        (#"[1.]"#, "a number needs a digit after '.'"),
        (#"[-]"#, "a number needs a digit after '-'"),
        (#"[1e]"#, "a number needs a digit in its exponent"),
        (#"[1,]"#, "expected a value, found ']'"),
        (#"{"a":1,}"#, "expected a member name in double quotes, found '}'"),
        (#"{"a" 1}"#, "expected ':' after a member name, found '1'"),
        (#"[NaN]"#, "expected a value, found 'N'"),
        (#"[tru]"#, "invalid literal, expected 'true'"),
        (#"{} {}"#, "unexpected content after the end of the document"),
        (#"["abc"#, "unterminated string"),
        ("", "expected a value, found end of document"),
    ])
    func refusesInvalidSyntax(text: String, message: String) {
        #expect(syntaxError(Array(text.utf8))?.message == message)
    }

    @Test func rawControlCharactersInStringsAreRefused() {
        #expect(syntaxError(Array("[\"a\tb\"]".utf8))?.message == "control character 0x9 must be escaped in a string")
    }

    @Test func errorsGiveLineAndColumnInCharacters() {
        // Line 3; "中文" are two characters (six bytes) before the bad token.
        let text = "{\n  \"a\": \"x\",\n  \"中文\": tru\n}"
        let error = syntaxError(Array(text.utf8))
        #expect(error?.line == 3)
        #expect(error?.column == 9)
        #expect(error?.description == "line 3, column 9: invalid literal, expected 'true'")
    }

    @Test(arguments: [
        [0x22, 0xC0, 0xAF, 0x22],             // overlong "/"
        [0x22, 0xED, 0xA0, 0x80, 0x22],       // encoded surrogate U+D800
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xE4, 0xB8, 0x22],             // truncated 3-byte sequence
        [0x22, 0xFF, 0x22],                   // never valid
        [0x22, 0x80, 0x22],                   // lone continuation byte
    ] as [[UInt8]])
    func invalidUTF8IsRefused(bytes: [UInt8]) {
        let error = syntaxError(bytes)
        #expect(error != nil)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test func byteOrderMarkIsRefused() {
        #expect(syntaxError([0xEF, 0xBB, 0xBF] + Array("{}".utf8))?.message == "a byte order mark is not allowed")
    }

    @Test func deepNestingIsRefused() throws {
        let limit = JSONParser(maxDepth: 64)
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try limit.parse(Array(ok.utf8))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(syntaxError(Array(deep.utf8), parser: limit)?.message == "nesting deeper than the limit of 64")
        // Far deeper than any stack could take recursively is refused just the same.
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(syntaxError(Array(hostile.utf8), parser: limit)?.message == "nesting deeper than the limit of 64")
    }

    @Test func sizeLimit() {
        let small = JSONParser(maxDepth: 8, maxBytes: 16)
        #expect(syntaxError(Array("[\"0123456789abcdef\"]".utf8), parser: small)?.message == "document is 20 bytes, more than the limit of 16")
    }

    @Test func serializationRoundTrips() throws {
        let value = try parse(#"{"z": "a\"b\\c\nd\u0001", "n": 12.50, "list": [], "o": {}, "t": true, "u": "中"}"#)
        let bytes = value.serialized()
        #expect(try parser.parse(bytes) == value)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""z": "a\"b\\c\nd\u0001""#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""n": 12.50"#))
    }
}
