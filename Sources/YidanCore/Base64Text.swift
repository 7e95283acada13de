/// Base64 as it arrives in XML (a DxpMsg's `Data`, a signature's
/// `ds:SignatureValue`, `ds:X509Certificate`): line breaks and indentation
/// inside are common and are not data.
public enum Base64Text {
    /// `text` without its whitespace characters — the same answer as
    /// `text.filter { !$0.isWhitespace }`. A hot path of the simulator (each
    /// filing's base64 is tens of KB): ASCII text, as base64 is, is filtered
    /// byte by byte (U+0009…U+000D and U+0020 are exactly the ASCII characters
    /// with `isWhitespace`); anything else goes by `Character`.
    public static func removingWhitespace(_ text: String) -> String {
        var text = text
        let kept: String? = text.withUTF8 { bytes in
            var ascii: UInt8 = 0
            for byte in bytes { ascii |= byte }
            guard ascii < 0x80 else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count) { output in
                var count = 0
                for byte in bytes where !((byte >= 0x09 && byte <= 0x0D) || byte == 0x20) {
                    output[count] = byte
                    count += 1
                }
                return count
            }
        }
        return kept ?? text.filter { !$0.isWhitespace }
    }
}
