import Foundation

/// GS1 keys in the two spellings EPCIS documents use — EPC URNs
/// (`urn:epc:id:sgtin:0614141.107346.2017`) and GS1 Digital Link URIs
/// (`https://id.gs1.org/01/10614141073464/21/2017`) — and the canonical
/// Digital Link form both reduce to (the event hash and the index use it).
public enum GS1Identifier {
    /// GS1 mod-10 check digit of a key written without it.
    public static func checkDigit(_ digits: String) -> Int {
        var sum = 0
        for (position, char) in digits.reversed().enumerated() {
            guard let value = char.wholeNumberValue else { return -1 }
            sum += value * (position % 2 == 0 ? 3 : 1)
        }
        return (10 - sum % 10) % 10
    }

    /// Characters Digital Link percent-encodes inside a serial or lot (GS1 DL table 7-1).
    static func percentEncode(_ text: String) -> String {
        let table: [Character: String] = ["!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"]
        return text.map { table[$0] ?? String($0) }.joined()
    }

    /// Canonical Digital Link for an EPC URN, EPC class or pattern URN, or a Digital Link URI;
    /// nil for anything else (a transaction URL, a private URN).
    public static func canonicalDigitalLink(_ uri: String) -> String? {
        guard uri.contains(".") else { return nil }
        if uri.hasPrefix("urn:epc:") { return digitalLink(epcURN: uri) }
        if uri.hasPrefix("https://") || uri.hasPrefix("http://") { return canonicalize(digitalLink: uri) }
        return nil
    }

    /// `urn:epc:id:sgtin:CP.IR.serial` and friends → Digital Link.
    static func digitalLink(epcURN uri: String) -> String? {
        let parts = uri.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 else { return nil }
        let scheme = parts[2] + ":" + parts[3]
        let fields = parts[4].split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        func digits(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) }
        func gtin(_ prefix: String, _ itemRef: String) -> String? {
            guard digits(prefix), digits(itemRef), (6...12).contains(prefix.count), prefix.count + itemRef.count == 13 else { return nil }
            let raw = String(itemRef.prefix(1)) + prefix + String(itemRef.dropFirst())
            return raw + String(checkDigit(raw))
        }
        func gln(_ prefix: String, _ locationRef: String) -> String? {
            guard digits(prefix), locationRef.isEmpty || digits(locationRef), (6...12).contains(prefix.count),
                  prefix.count + locationRef.count == 12 else { return nil }
            let raw = prefix + locationRef
            return raw + String(checkDigit(raw))
        }
        switch scheme {
        case "id:sgtin":
            guard fields.count == 3, !fields[2].isEmpty, fields[2].count <= 20, let key = gtin(fields[0], fields[1]) else { return nil }
            return "https://id.gs1.org/01/\(key)/21/\(percentEncode(fields[2]))"
        case "class:lgtin":
            guard fields.count == 3, !fields[2].isEmpty, fields[2].count <= 20, let key = gtin(fields[0], fields[1]) else { return nil }
            return "https://id.gs1.org/01/\(key)/10/\(percentEncode(fields[2]))"
        case "idpat:sgtin":
            guard fields.count == 3, fields[2] == "*", let key = gtin(fields[0], fields[1]) else { return nil }
            return "https://id.gs1.org/01/\(key)"
        case "id:sscc":
            guard fields.count == 2, digits(fields[0]), digits(fields[1]), (6...12).contains(fields[0].count),
                  fields[0].count + fields[1].count == 17 else { return nil }
            let raw = String(fields[1].prefix(1)) + fields[0] + String(fields[1].dropFirst())
            return "https://id.gs1.org/00/\(raw)\(checkDigit(raw))"
        case "id:sgln":
            guard fields.count == 3, !fields[2].isEmpty, let key = gln(fields[0], fields[1]) else { return nil }
            return fields[2] == "0" ? "https://id.gs1.org/414/\(key)" : "https://id.gs1.org/414/\(key)/254/\(percentEncode(fields[2]))"
        case "id:pgln":
            guard fields.count == 2, let key = gln(fields[0], fields[1]) else { return nil }
            return "https://id.gs1.org/417/\(key)"
        case "id:grai":
            guard fields.count == 3, let asset = gln(fields[0], fields[1]) else { return nil }
            let raw = "0" + String(asset.dropLast())
            return "https://id.gs1.org/8003/\(raw)\(checkDigit(raw))\(percentEncode(fields[2]))"
        case "id:giai":
            let parts = parts[4].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, digits(parts[0]), (6...12).contains(parts[0].count), !parts[1].isEmpty,
                  parts[0].count + parts[1].count <= 30 else { return nil }
            return "https://id.gs1.org/8004/\(parts[0])\(percentEncode(parts[1]))"
        case "id:gdti":
            guard fields.count == 3, let key = gln(fields[0], fields[1]) else { return nil }
            return "https://id.gs1.org/253/\(key)\(percentEncode(fields[2]))"
        default:
            return nil
        }
    }

    /// Any-host Digital Link → `https://id.gs1.org/...`, no query, GTIN padded to 14,
    /// lot dropped when a serial is present.
    static func canonicalize(digitalLink uri: String) -> String? {
        guard let parsed = DigitalLink(uri) else { return nil }
        return parsed.canonical
    }
}

/// A parsed GS1 Digital Link URI for a trade item: `/01/{gtin}` with an optional
/// `/10/{lot}` and/or `/21/{serial}` (the consumer's scan of a product).
public struct DigitalLink: Sendable, Equatable {
    public var gtin: String
    public var lot: String?
    public var serial: String?

    public init(gtin: String, lot: String? = nil, serial: String? = nil) {
        self.gtin = gtin
        self.lot = lot
        self.serial = serial
    }

    /// Parses `https://id.gs1.org/01/09506000134352/10/ABC123` (any host; short names
    /// `gtin`/`lot`/`ser` accepted; a query string ignored). Nil when it is not one.
    public init?(_ uri: String) {
        guard let schemeEnd = uri.range(of: "://"), uri.hasPrefix("http") else { return nil }
        var rest = String(uri[schemeEnd.upperBound...])
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = String(rest[..<query]) }
        var segments = rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !segments.isEmpty else { return nil }
        segments.removeFirst()  // host
        let alias = ["gtin": "01", "lot": "10", "ser": "21", "cpv": "22"]
        segments = segments.map { alias[$0] ?? $0 }
        guard let start = segments.firstIndex(of: "01"), start + 1 < segments.count else { return nil }
        var gtin = segments[start + 1]
        guard gtin.allSatisfy(\.isASCII), gtin.allSatisfy(\.isNumber), [8, 12, 13, 14].contains(gtin.count) else { return nil }
        gtin = String(repeating: "0", count: 14 - gtin.count) + gtin
        guard GS1Identifier.checkDigit(String(gtin.dropLast())) == gtin.last?.wholeNumberValue else { return nil }
        self.gtin = gtin
        var index = start + 2
        while index + 1 < segments.count {
            // Kept as written (percent-encoded): the event hash uses the link as it stands.
            let value = segments[index + 1]
            switch segments[index] {
            case "10": lot = value
            case "21": serial = value
            case "22": break
            default: return nil
            }
            index += 2
        }
        guard index == segments.count else { return nil }
    }

    /// Lowest level only, as the event hash wants: serial if known, else lot, else the GTIN.
    public var canonical: String {
        if let serial { return "https://id.gs1.org/01/\(gtin)/21/\(GS1Identifier.percentEncode(serial))" }
        if let lot { return "https://id.gs1.org/01/\(gtin)/10/\(GS1Identifier.percentEncode(lot))" }
        return "https://id.gs1.org/01/\(gtin)"
    }

    /// The class-level link (GTIN only).
    public var classLink: String { "https://id.gs1.org/01/\(gtin)" }
}
