import Foundation
import Testing
import YidanCore
import YidanXML

/// The project's own schemas (`Mappings/schemas`) against the official customs samples,
/// and the code tables (`Mappings/tables`) against their documented shape.
@Suite("Project schemas and code tables")
struct ProjectSchemaTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let schemas = root.appendingPathComponent("Mappings/schemas", isDirectory: true)
    static let tables = root.appendingPathComponent("Mappings/tables", isDirectory: true)
    static let samples = root
        .appendingPathComponent("../shared/reference/ceb/202205/samples/import", isDirectory: true)
        .standardizedFileURL
    static let ceb = "http://www.chinaport.gov.cn/ceb"

    static func schema(_ name: String) throws -> XMLSchema {
        try XMLSchema(contentsOf: schemas.appendingPathComponent(name))
    }

    static func sample(_ kind: String) throws -> Data {
        try Data(contentsOf: samples.appendingPathComponent("\(kind)Message.xml"))
    }

    // MARK: ceb-import.xsd

    @Test("every official import sample validates", arguments: [
        "CEB311", "CEB312", "CEB411", "CEB412", "CEB511", "CEB512", "CEB621", "CEB622",
    ])
    func officialSampleValidates(kind: String) throws {
        let issues = try Self.schema("ceb-import.xsd").validate(Self.sample(kind))
        #expect(issues.isEmpty, "\(kind): \(issues)")
    }

    /// One broken copy of an official sample and where the schema must point.
    struct Mutation: CustomTestStringConvertible, Sendable {
        var name: String
        var sample: String
        /// Changes the parsed sample in place.
        var change: @Sendable (XMLDocument) throws -> Void
        /// The reported path must end with this (nil: the receipt uses a default
        /// namespace, for which libxml2 writes `*` steps, so only the message names it).
        var pathSuffix: String?
        /// Words the issue's message must contain.
        var mentions: [String]
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        Mutation(
            name: "311 without orderNo",
            sample: "CEB311",
            change: { try first($0, "//c:OrderHead/c:orderNo").remove() },
            pathSuffix: "ceb:OrderHead/ceb:ebpCode",
            mentions: ["orderNo"]
        ),
        Mutation(
            name: "311 with ebpCode of 19 characters",
            sample: "CEB311",
            change: { try first($0, "//c:OrderHead/c:ebpCode").setText(String(repeating: "9", count: 19)) },
            pathSuffix: "ceb:OrderHead/ceb:ebpCode",
            mentions: ["maxLength"]
        ),
        Mutation(
            name: "411 in a currency other than 142",
            sample: "CEB411",
            change: { try first($0, "//c:PaymentHead/c:currency").setText("502") },
            pathSuffix: "ceb:PaymentHead/ceb:currency",
            mentions: ["fixed"]
        ),
        Mutation(
            name: "511 weight with six decimals",
            sample: "CEB511",
            change: { try first($0, "//c:LogisticsHead/c:weight").setText("1.123456") },
            pathSuffix: "ceb:LogisticsHead/ceb:weight",
            mentions: ["fractionDigits"]
        ),
        Mutation(
            name: "621 without its signature",
            sample: "CEB621",
            change: { doc in
                let signature = try doc.select("//ds:Signature", namespaces: ["ds": "http://www.w3.org/2000/09/xmldsig#"])
                try #require(signature.count == 1)
                signature[0].remove()
            },
            pathSuffix: "/ceb:CEB621Message",
            mentions: ["Signature"]
        ),
        Mutation(
            name: "621 with a 5-digit gcode",
            sample: "CEB621",
            change: { try first($0, "//c:InventoryList/c:gcode").setText("85414") },
            pathSuffix: "ceb:InventoryList/ceb:gcode",
            mentions: ["length"]
        ),
        Mutation(
            name: "312 without returnInfo",
            sample: "CEB312",
            change: { try first($0, "//c:OrderReturn/c:returnInfo").remove() },
            pathSuffix: nil,
            mentions: ["returnInfo"]
        ),
        Mutation(
            name: "622 with an 18-character returnTime",
            sample: "CEB622",
            change: { try first($0, "//c:InventoryReturn/c:returnTime").setText("201605121026460011") },
            pathSuffix: nil,
            mentions: ["returnTime", "length"]
        ),
    ]

    static func first(_ document: XMLDocument, _ xpath: String) throws -> XMLNode {
        let nodes = try document.select(xpath, namespaces: ["c": ceb])
        return try #require(nodes.first, "no node at \(xpath)")
    }

    /// `/ceb:Order[1]/ceb:OrderHead` → `/ceb:Order/ceb:OrderHead`: samples repeat elements.
    static func withoutIndexes(_ path: String) -> String {
        path.replacing(#/\[[0-9]+\]/#, with: "")
    }

    @Test("a broken sample fails, and the issue names the offending element", arguments: mutations)
    func brokenSampleFails(mutation: Mutation) throws {
        let document = try XMLDocument.parse(Self.sample(mutation.sample))
        try mutation.change(document)
        let issues = try Self.schema("ceb-import.xsd").validate(document)
        try #require(!issues.isEmpty, "\(mutation.name) validated")
        let pointing = issues.filter { issue in
            mutation.pathSuffix.map { Self.withoutIndexes(issue.path).hasSuffix($0) } ?? true
                && mutation.mentions.allSatisfy { issue.message.contains($0) }
        }
        #expect(!pointing.isEmpty, "\(mutation.name): \(issues)")
    }

    @Test("swapping appType and appTime breaks the element order")
    func wrongOrderFails() throws {
        var text = String(decoding: try Self.sample("CEB311"), as: UTF8.self)
        let pair = "<ceb:appType>1</ceb:appType>\n\t\t\t<ceb:appTime>20160308112701</ceb:appTime>"
        let swapped = "<ceb:appTime>20160308112701</ceb:appTime>\n\t\t\t<ceb:appType>1</ceb:appType>"
        let range = try #require(text.range(of: pair))
        text.replaceSubrange(range, with: swapped)
        let issues = try Self.schema("ceb-import.xsd").validate(Data(text.utf8))
        #expect(issues.contains { Self.withoutIndexes($0.path).hasSuffix("ceb:OrderHead/ceb:appTime") && $0.message.contains("appType") }, "\(issues)")
    }

    @Test("an RSA signature validates like the SM2 one (algorithms are plain URIs)")
    func rsaSignatureValidates() throws {
        var text = String(decoding: try Self.sample("CEB621"), as: UTF8.self)
        text = text
            .replacingOccurrences(of: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3", with: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
            .replacingOccurrences(of: "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3", with: "http://www.w3.org/2001/04/xmlenc#sha256")
        #expect(text.contains("rsa-sha256"))
        let issues = try Self.schema("ceb-import.xsd").validate(Data(text.utf8))
        #expect(issues.isEmpty, "\(issues)")
    }

    // MARK: dxp-envelope.xsd

    static func envelope(ver: String = "1.0", receivers: String = "<dxp:ReceiverId>DXPEDCCEB0000002</dxp:ReceiverId>") throws -> Data {
        let payload = try sample("CEB311").base64EncodedString()
        return Data("""
            <?xml version="1.0" encoding="UTF-8"?>
            <dxp:DxpMsg xmlns:dxp="http://www.chinaport.gov.cn/dxp" ver="\(ver)">
              <dxp:TransInfo>
                <dxp:CopMsgId>5e0b6e3c9f1d4a0b8d7f2c1e3a4b5c6d</dxp:CopMsgId>
                <dxp:SenderId>DXPENT0000000001</dxp:SenderId>
                <dxp:ReceiverIds>\(receivers)</dxp:ReceiverIds>
                <dxp:CreatTime>2024-05-01T10:00:00+08:00</dxp:CreatTime>
                <dxp:MsgType>CEB311Message</dxp:MsgType>
              </dxp:TransInfo>
              <dxp:Data>\(payload)</dxp:Data>
              <dxp:AddInfo>
                <dxp:FileName>CEB311Message.xml</dxp:FileName>
                <dxp:BizKey><dxp:Key name="guid">4CDE1CFD-EDED-46B1-946C-B8022E42FC94</dxp:Key></dxp:BizKey>
                <dxp:IsText Encode="UTF-8"/>
              </dxp:AddInfo>
            </dxp:DxpMsg>
            """.utf8)
    }

    @Test("a DxpMsg envelope carrying an order validates")
    func envelopeValidates() throws {
        let issues = try Self.schema("dxp-envelope.xsd").validate(Self.envelope())
        #expect(issues.isEmpty, "\(issues)")
    }

    @Test("an envelope with the wrong version or no receiver fails")
    func brokenEnvelopeFails() throws {
        let schema = try Self.schema("dxp-envelope.xsd")
        let wrongVersion = try schema.validate(Self.envelope(ver: "2.0"))
        #expect(wrongVersion.contains { $0.path.hasSuffix("/dxp:DxpMsg") && $0.message.contains("ver") }, "\(wrongVersion)")
        let noReceiver = try schema.validate(Self.envelope(receivers: ""))
        #expect(noReceiver.contains { $0.path.hasSuffix("dxp:TransInfo/dxp:ReceiverIds") }, "\(noReceiver)")
    }

    // MARK: code tables

    /// A code table: `#` comment lines, one header row, RFC 4180 rows.
    struct CodeTable {
        var header: [String]
        var rows: [[String: String]]

        init(_ url: URL) throws {
            let name = url.lastPathComponent
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(!text.contains("\r"), "\(name) has CR line ends")
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            while lines.first?.hasPrefix("#") == true { lines.removeFirst() }
            if lines.last == "" { lines.removeLast() }
            let header = try Self.fields(try #require(lines.first, "\(name) has no header"), in: name)
            self.header = header
            rows = try lines.dropFirst().map { line in
                let fields = try Self.fields(line, in: name)
                try #require(fields.count == header.count, "\(name): \(line)")
                return Dictionary(uniqueKeysWithValues: zip(header, fields))
            }
        }

        /// Splits one line; a quoted field may hold commas and doubled quotes.
        static func fields(_ line: String, in name: String) throws -> [String] {
            var fields: [String] = []
            var field = ""
            var quoted = false
            var characters = line.makeIterator()
            while let character = characters.next() {
                switch (character, quoted) {
                case ("\"", false) where field.isEmpty:
                    quoted = true
                case ("\"", true):
                    if let next = characters.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            try #require(next == ",", "\(name): text after a closing quote in \(line)")
                            quoted = false
                            fields.append(field)
                            field = ""
                        }
                    } else {
                        quoted = false
                    }
                case (",", false):
                    fields.append(field)
                    field = ""
                default:
                    field.append(character)
                }
            }
            try #require(!quoted, "\(name): unclosed quote in \(line)")
            fields.append(field)
            return fields
        }

        func values(_ column: String) -> [String] { rows.map { $0[column] ?? "" } }
    }

    static func table(_ name: String) throws -> CodeTable {
        try CodeTable(tables.appendingPathComponent(name))
    }

    static func isDigits(_ text: String, count: Int) -> Bool {
        text.count == count && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func isUpperLetters(_ text: String, count: Int) -> Bool {
        text.count == count && text.allSatisfy { $0.isASCII && $0.isUppercase }
    }

    static func duplicates(_ values: [String]) -> [String] {
        Dictionary(grouping: values, by: { $0 }).filter { $0.value.count > 1 }.map(\.key).sorted()
    }

    @Test("every CSV table parses: header, full rows, no empty first column")
    func everyTableParses() throws {
        let files = try FileManager.default.contentsOfDirectory(at: Self.tables, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "csv" }
        #expect(files.count >= 5)
        for file in files {
            let table = try CodeTable(file)
            #expect(Self.duplicates(table.header).isEmpty, "\(file.lastPathComponent) header")
            #expect(!table.rows.isEmpty, "\(file.lastPathComponent) is empty")
            #expect(table.values(table.header[0]).allSatisfy { !$0.isEmpty }, "\(file.lastPathComponent)")
        }
    }

    @Test("tables have the documented columns and unique keys", arguments: [
        ("currency.csv", ["iso", "customs", "zh", "en"], [["iso"], ["customs"]]),
        ("country.csv", ["iso2", "iso3", "customs", "zh", "en"], [["iso2"], ["iso3"], ["customs"]]),
        ("unit.csv", ["customs", "zh", "en", "aliases"], [["customs"], ["zh"]]),
        ("transport-mode.csv", ["code", "zh", "en"], [["code"]]),
        ("id-type.csv", ["code", "zh", "en"], [["code"]]),
        ("return-status.csv", ["scope", "code", "status", "zh", "en"], [["scope", "code"]]),
    ])
    func columnsAndKeys(file: String, columns: [String], keys: [[String]]) throws {
        let table = try Self.table(file)
        #expect(table.header == columns)
        for key in keys {
            let values = table.rows.map { row in key.map { row[$0] ?? "" }.joined(separator: "/") }
            #expect(Self.duplicates(values).isEmpty, "\(file) duplicate \(key): \(Self.duplicates(values))")
        }
    }

    @Test("customs codes have the right shape")
    func codeShapes() throws {
        let currency = try Self.table("currency.csv")
        #expect(currency.rows.allSatisfy { Self.isUpperLetters($0["iso"] ?? "", count: 3) && Self.isDigits($0["customs"] ?? "", count: 3) })
        #expect(currency.rows.contains { $0["iso"] == "CNY" && $0["customs"] == "142" })
        #expect(currency.rows.contains { $0["iso"] == "USD" && $0["customs"] == "502" })

        let country = try Self.table("country.csv")
        #expect(country.rows.allSatisfy {
            Self.isUpperLetters($0["iso2"] ?? "", count: 2) && Self.isUpperLetters($0["iso3"] ?? "", count: 3)
                && Self.isDigits($0["customs"] ?? "", count: 3)
        })
        #expect(country.rows.contains { $0["iso2"] == "CN" && $0["customs"] == "142" })

        let unit = try Self.table("unit.csv")
        #expect(unit.values("customs").allSatisfy { Self.isDigits($0, count: 3) })
        let aliases = unit.values("aliases").flatMap { $0.split(separator: "|").map { $0.lowercased() } }
        #expect(Self.duplicates(aliases).isEmpty, "an alias names two units: \(Self.duplicates(aliases))")
        #expect(aliases.allSatisfy { !$0.isEmpty && $0 == $0.trimmingCharacters(in: .whitespaces) })

        let modes = try Self.table("transport-mode.csv")
        #expect(modes.values("code").allSatisfy { $0.count == 1 && $0.allSatisfy { $0.isASCII && ($0.isNumber || $0.isUppercase) } })
        let idTypes = try Self.table("id-type.csv")
        #expect(idTypes.values("code").allSatisfy { Self.isDigits($0, count: 1) })
    }

    @Test("return statuses map to receipt-driven FilingStatus values")
    func returnStatuses() throws {
        let table = try Self.table("return-status.csv")
        let scopes = Set(["*"] + ReceiptKind.allCases.map(\.rawValue))
        let notFromReceipts: Set<FilingStatus> = [.queued, .sending, .delivered, .dead]
        for row in table.rows {
            #expect(scopes.contains(row["scope"] ?? ""), "\(row)")
            let code = row["code"] ?? ""
            #expect(code == "<0" || (!code.isEmpty && code.allSatisfy { $0.isASCII && $0.isNumber }), "\(row)")
            let status = try #require(FilingStatus(rawValue: row["status"] ?? ""), "\(row)")
            #expect(!notFromReceipts.contains(status), "\(row)")
        }
        let general = Dictionary(uniqueKeysWithValues: table.rows.filter { $0["scope"] == "*" }.map { ($0["code"] ?? "", $0["status"] ?? "") })
        let expected: [String: FilingStatus] = [
            "2": .declaring, "3": .sentToCustoms, "4": .rejected, "100": .rejected, "120": .stored,
            "300": .reviewing, "399": .concluded, "500": .inspecting, "501": .inspecting, "502": .inspecting,
            "503": .inspecting, "599": .inspecting, "700": .rejected, "800": .released, "899": .closed, "<0": .rejected,
        ]
        for (code, status) in expected {
            #expect(general[code] == status.rawValue, "returnStatus \(code)")
        }
    }

    @Test("every code the official samples use is in the tables")
    func sampleCodesAreKnown() throws {
        let units = Set(try Self.table("unit.csv").values("customs"))
        let countries = Set(try Self.table("country.csv").values("customs"))
        let currencies = Set(try Self.table("currency.csv").values("customs"))
        let modes = Set(try Self.table("transport-mode.csv").values("code"))
        let checks: [(String, Set<String>)] = [
            ("//c:unit | //c:unit1 | //c:unit2", units),
            ("//c:country | //c:tradeCountry", countries),
            ("//c:currency", currencies),
            ("//c:trafMode", modes),
        ]
        for kind in ["CEB311", "CEB411", "CEB511", "CEB621"] {
            let document = try XMLDocument.parse(Self.sample(kind))
            for (xpath, known) in checks {
                for node in try document.select(xpath, namespaces: ["c": Self.ceb]) {
                    #expect(known.contains(node.text), "\(kind) \(node.path) = \(node.text)")
                }
            }
        }
    }
}
