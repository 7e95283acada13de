/// Masks personal data for anything a person or a log may see.
///
/// The real values live only in the encrypted-at-rest store and in the bytes
/// sent to customs. Everything else (status, logs, errors, traces) uses these.
public enum Mask {
    /// `110101199003071234` → `1101**********1234`
    public static func idNumber(_ value: String) -> String { keepEnds(value, head: 4, tail: 4) }
    /// `13812345678` → `138****5678`
    public static func phone(_ value: String) -> String { keepEnds(value, head: 3, tail: 4) }
    /// `张三丰` → `张**`
    public static func name(_ value: String) -> String { keepEnds(value, head: 1, tail: 0) }
    /// Keeps the first 6 characters (typically province and city) of an address.
    public static func address(_ value: String) -> String { keepEnds(value, head: 6, tail: 0) }

    public static func keepEnds(_ value: String, head: Int, tail: Int) -> String {
        let chars = Array(value)
        if chars.count <= head + tail {
            // Too short to show anything safely: hide all but the first character.
            guard let first = chars.first else { return "" }
            return chars.count == 1 ? "*" : String(first) + String(repeating: "*", count: chars.count - 1)
        }
        return String(chars.prefix(head)) + String(repeating: "*", count: chars.count - head - tail) + String(chars.suffix(tail))
    }
}
