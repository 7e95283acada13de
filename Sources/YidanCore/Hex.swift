/// Lower-case hexadecimal text of bytes: digests (idempotency keys, audit
/// entries, event hashes, API key hashes) are stored and compared as this.
///
/// Written from a table into one preallocated buffer: digests are made on
/// every accepted order, request and receipt, and formatting each byte
/// through `String(format:)` cost a measurable share of accepting an order.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func lowercase<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
