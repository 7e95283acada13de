/// A path token that picks the elements of an array (or members of an object)
/// whose member `key` has the scalar text `value`: `*[type=SHIPPING]`.
///
/// Why: some platforms list amounts as typed entries instead of named members
/// (Amazon Orders 2026-01-01 `proceeds.breakdowns[]` with `type` ITEM, SHIPPING,
/// GIFT_WRAP, COD_FEE, TAX, DISCOUNT), and the entries' positions are not
/// documented, so `/breakdowns/1` would read whatever happens to be second.
/// `/proceeds/breakdowns/*[type=SHIPPING]/subtotal/amount` reads the SHIPPING one.
struct PlatformPathFilter: Sendable, Hashable {
    let key: String
    let value: String

    /// `*[key=value]` → the filter; nil for any other token. `~1` and `~0` in key
    /// and value are unescaped as in JSON pointers; the value may hold `=`.
    static func parse(_ raw: Substring) -> PlatformPathFilter? {
        guard raw.hasPrefix("*["), raw.hasSuffix("]"), raw.count > 3 else { return nil }
        let inner = raw.dropFirst(2).dropLast()
        guard let equals = inner.firstIndex(of: "="), equals != inner.startIndex else { return nil }
        let key = PlatformPath.unescape(String(inner[..<equals]))
        let value = PlatformPath.unescape(String(inner[inner.index(after: equals)...]))
        return PlatformPathFilter(key: key, value: value)
    }

    /// The children of `node` (found at `path`) that pass the filter, in document order.
    func children(of node: JSONValue, at path: String) -> [(value: JSONValue, pointer: String)] {
        switch node {
        case .array(let values):
            return values.enumerated().compactMap { index, element in
                passes(element) ? (element, path + "/\(index)") : nil
            }
        case .object(let members):
            return members.compactMap { member in
                passes(member.value) ? (member.value, path + "/" + JSONPointer.escape(member.key)) : nil
            }
        default:
            return []
        }
    }

    private func passes(_ element: JSONValue) -> Bool {
        guard let member = element[key] else { return false }
        return ExtractionScope.scalarText(member) == value
    }
}
