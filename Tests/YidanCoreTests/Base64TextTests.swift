import Foundation
import Testing
import YidanCore

/// `Base64Text.removingWhitespace` (the simulator's byte-level fast path for
/// base64 text) answers exactly what filtering `Character.isWhitespace` does.
@Suite("Base64 text whitespace removal")
struct Base64TextTests {
    @Test("every ASCII character, line-broken base64 and non-ASCII text: same as Character.isWhitespace filtering", arguments: [
        String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }),
        "PENFQjMxMU1lc3NhZ2U+\r\n  PC9DRUIzMTFNZXNzYWdlPg==\n\t",
        "\u{0B}\u{0C}QUJD\u{1C}\u{1F}",
        "QUJD\u{00A0}REVG\u{2028}R0hJ\u{3000}\u{0085}",
        "",
    ])
    func sameAsCharacterFilter(text: String) {
        #expect(Base64Text.removingWhitespace(text) == text.filter { !$0.isWhitespace })
    }
}

@Suite("Hex: lower-case hexadecimal of bytes")
struct HexTests {
    @Test("every byte value, as String(format: \"%02x\") writes it")
    func everyByte() {
        let bytes = (0...255).map(UInt8.init)
        #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}
