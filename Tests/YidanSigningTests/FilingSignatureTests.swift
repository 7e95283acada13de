import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML

/// "Checked by others": every filing yidan really builds from the fixture
/// orders is signed (RSA-SHA1 and RSA-SHA256) and handed, serialized, to an
/// independent verifier, xmlsec1 (Debian package `xmlsec1`). It must accept
/// the bytes as signed and refuse them once one text node is changed.
@Suite("xmlsec1 checks the signatures of real yidan filings")
struct FilingSignatureTests {
    static let xmlsec1 = ["/usr/bin/xmlsec1", "/usr/local/bin/xmlsec1"]
    static let mappings = SigningTestSupport.packageRoot.appendingPathComponent("Mappings", isDirectory: true)
    static let orders = SigningTestSupport.packageRoot.appendingPathComponent("Fixtures/orders", isDirectory: true)
    static let catalog = Result { try MappingCatalog(directory: mappings) }
    static let taxRates = Result {
        try TaxRateTable(csv: String(contentsOf: mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
    }
    static let now = ZonedDateTime(instant: Date(timeIntervalSince1970: 1_796_443_200), utcOffsetSeconds: 0)
    static let annualBefore = Decimal(string: "1200.50") ?? 0

    /// The fixture order files (the `invalid/` folder is not one).
    static let orderNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: orders.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ name: String) throws -> (NormalizedOrder, OrderTax) {
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: orders.appendingPathComponent(name)))
        let tax = try CompositeTax.compute(order: order, rates: taxRates.get(), annualUsedBefore: annualBefore)
        return (order, tax)
    }

    static func guid(_ tag: Int) -> String {
        "5C1E0A7E-0000-4000-8000-" + String(format: "%012d", tag)
    }

    /// Runs `xmlsec1 --verify` with the test certificate on `bytes`; records a
    /// failure (never a silent pass) when xmlsec1 is not installed.
    static func xmlsecVerify(_ bytes: Data) throws -> (status: Int32, output: String)? {
        let folder = try SigningTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("filing.xml")
        try bytes.write(to: file)
        let result = try SigningTestSupport.run(
            xmlsec1, ["--verify", "--pubkey-cert-pem", SigningTestSupport.certificateURL.path, file.path]
        )
        if result == nil {
            Issue.record("xmlsec1 is not installed: install the Debian package xmlsec1 (apt-get install -y xmlsec1; .ci/run does)")
        }
        return result
    }

    /// The serialized bytes with the first element text equal to `text`
    /// changed (one character appended): a one-text-node modification.
    static func tampered(_ bytes: Data, text: String) throws -> Data {
        let xml = String(decoding: bytes, as: UTF8.self)
        let range = try #require(xml.range(of: ">\(text)<"), "the filing has no element whose text is the order number")
        return Data(xml.replacingCharacters(in: range, with: ">\(text)9<").utf8)
    }

    /// Signs, checks the schema accepted the signed document, then asks xmlsec1
    /// about the original and a modified copy.
    static func expectVerifiedAndTamperDetected(
        _ document: XMLDocument, orderNo: String, label: String, schemaIssues: (XMLDocument) -> [XMLSchemaIssue],
        algorithm: SignatureAlgorithm
    ) throws {
        try XMLSignature.signEnveloped(document, with: SigningTestSupport.signer(algorithm), placement: .forCEB(document))
        let issues = schemaIssues(document)
        #expect(issues.isEmpty, "\(label): the signed filing fails its schema: \(issues.map(\.message))")
        let bytes = document.serialized()

        guard let accepted = try xmlsecVerify(bytes) else { return }
        #expect(accepted.status == 0, "\(label) \(algorithm): xmlsec1 refused yidan's signature: \(accepted.output)")
        #expect(accepted.output.contains("OK"), "\(label): \(accepted.output)")

        let modified = try tampered(bytes, text: orderNo)
        #expect(modified != bytes)
        guard let refused = try xmlsecVerify(modified) else { return }
        #expect(refused.status != 0, "\(label) \(algorithm): xmlsec1 accepted a modified filing: \(refused.output)")
        #expect(!refused.output.contains("Verification status: OK"))
    }

    @Test("the fixture orders are there")
    func fixturesExist() {
        #expect(Self.orderNames.count >= 4, "expected the fixture orders in Fixtures/orders, found \(Self.orderNames)")
    }

    @Test("import filings (311, 411, 511, 621) verify with xmlsec1 and a changed text node is refused",
          arguments: orderNames, SignatureAlgorithm.allCases)
    func importFilings(_ name: String, _ algorithm: SignatureAlgorithm) throws {
        let (order, tax) = try Self.load(name)
        let catalog = try Self.catalog.get()
        for (tag, kind) in MessageKind.importDeclaration.enumerated() {
            let document = try catalog.makeFiling(kind, order: order, tax: tax, guid: Self.guid(tag + 1), now: Self.now)
            try Self.expectVerifiedAndTamperDetected(
                document, orderNo: order.orderNo, label: "\(name) \(kind.rawValue)",
                schemaIssues: { catalog.validate($0, kind: kind) }, algorithm: algorithm
            )
            // Imports end with the signature, after ExtendMessage (if any).
            #expect(document.root?.elementChildren.last?.localName == "Signature")
        }
    }

    @Test("tax and FX filings verify with xmlsec1 and a changed text node is refused",
          arguments: orderNames, SignatureAlgorithm.allCases)
    func authorityFilings(_ name: String, _ algorithm: SignatureAlgorithm) throws {
        let (order, tax) = try Self.load(name)
        let catalog = try Self.catalog.get()
        for (tag, kind) in AuthorityFilingKind.importFilings.enumerated() {
            let document = try catalog.makeAuthorityFiling(
                kind, order: order, tax: tax, annualBefore: Self.annualBefore,
                declarationNo: "530120261000000001", guid: Self.guid(100 + tag), now: Self.now
            )
            try Self.expectVerifiedAndTamperDetected(
                document, orderNo: order.orderNo, label: "\(name) \(kind.rawValue)",
                schemaIssues: { catalog.validate($0, authorityFiling: kind) }, algorithm: algorithm
            )
        }
    }
}
