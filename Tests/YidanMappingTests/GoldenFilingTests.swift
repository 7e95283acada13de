import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML

/// The fixture orders (`Fixtures/orders/*.json`), by file name without `.json`.
enum FixtureOrders {
    static let names: [String] = {
        let folder = TestPaths.fixtures.appendingPathComponent("orders")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    static func load(_ name: String) throws -> (NormalizedOrder, OrderTax) {
        let url = TestPaths.fixtures.appendingPathComponent("orders/\(name).json")
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: url))
        let tax = try CompositeTax.compute(order: order, rates: Shared.taxRates.get(), annualUsedBefore: 0)
        return (order, tax)
    }

    static func build(_ name: String, _ kind: MessageKind) throws -> XMLDocument {
        let (order, tax) = try load(name)
        return try Shared.catalog.get().makeFiling(kind, order: order, tax: tax, guid: Shared.guid(kind), now: Shared.now)
    }
}

/// Signs with the repository's test key (`Fixtures/keys`), as the router does.
enum TestSigner {
    static let signer = Result {
        try PEMRSASigner(
            privateKeyPEM: String(contentsOf: TestPaths.fixtures.appendingPathComponent("keys/test-signing-key.pem"), encoding: .utf8),
            certificatePEM: String(contentsOf: TestPaths.fixtures.appendingPathComponent("keys/test-signing-cert.pem"), encoding: .utf8),
            keyName: "yidan-test",
            algorithm: .rsaSHA256
        )
    }
}

private struct FixtureKind: CustomTestStringConvertible, Sendable {
    let fixture: String
    let kind: MessageKind
    var testDescription: String { "\(fixture) \(kind.rawValue)" }

    static let all: [FixtureKind] = FixtureOrders.names.flatMap { name in
        MessageKind.importDeclaration.map { FixtureKind(fixture: name, kind: $0) }
    }
}

@Suite("Fixture orders map to the golden filings and conform to both schemas")
struct GoldenFilingTests {
    @Test func everyFixtureIsCovered() {
        #expect(FixtureOrders.names.count >= 5, "Fixtures/orders/*.json: \(FixtureOrders.names)")
    }

    @Test(arguments: FixtureKind.all)
    fileprivate func matchesGoldenFile(_ case: FixtureKind) throws {
        let document = try FixtureOrders.build(`case`.fixture, `case`.kind)
        try expectMatchesGolden(document.serialized(pretty: true), named: "\(`case`.fixture)-\(`case`.kind.rawValue).xml")
    }

    /// The official 202205 import schema (with the W3C xmldsig schema it imports)
    /// accepts every message; the inventory is signed first because the official
    /// schema, like ours, requires its ds:Signature.
    @Test(arguments: FixtureKind.all)
    fileprivate func conformsToOfficialAndProjectSchema(_ case: FixtureKind) throws {
        let document = try FixtureOrders.build(`case`.fixture, `case`.kind)
        if `case`.kind == .ceb621 {
            try XMLSignature.signEnveloped(document, with: TestSigner.signer.get())
        }
        let official = try Shared.officialSchema.get().validate(document)
        #expect(official.isEmpty, "official XSD: \(official.map(\.description))")
        let own = try Shared.catalog.get().validate(document, kind: `case`.kind)
        #expect(own.isEmpty, "Mappings/schemas/ceb-import.xsd: \(own.map(\.description))")
    }

    @Test(arguments: FixtureOrders.names)
    func acturalPaidEqualsAmountPaid(_ fixture: String) throws {
        let ceb = ["ceb": "http://www.chinaport.gov.cn/ceb"]
        let paid = try FixtureOrders.build(fixture, .ceb311).select("//ceb:OrderHead/ceb:acturalPaid", namespaces: ceb).map(\.text)
        let amount = try FixtureOrders.build(fixture, .ceb411).select("//ceb:PaymentHead/ceb:amountPaid", namespaces: ceb).map(\.text)
        #expect(paid.count == 1)
        #expect(paid == amount)
    }

    /// The mapping reads only loaded data: the same inputs give the same bytes.
    @Test func buildingTwiceGivesTheSameBytes() throws {
        let name = try #require(FixtureOrders.names.first)
        let first = try FixtureOrders.build(name, .ceb621).serialized()
        let second = try FixtureOrders.build(name, .ceb621).serialized()
        #expect(first == second)
    }
}
