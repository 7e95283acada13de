import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanSigning
import YidanXML

/// Cancel (CEB623) and return (CEB625) messages and their receipts against the
/// project's schema and the official one, and the tax/FX reversal records.
@Suite("Cancel, return and reversal filings")
struct ChangeFilingTests {
    static let ceb = ["ceb": "http://www.chinaport.gov.cn/ceb"]
    static let change = OrderChangeInputs(invtNo: "31002026I000000007", preNo: "B20261205000000007", reason: "damaged in transit")
    static let projectSchema = Result { try XMLSchema(contentsOf: TestPaths.mappings.appendingPathComponent("schemas/ceb-import.xsd")) }

    @Test(arguments: ["CEB623", "CEB624", "CEB625", "CEB626"])
    func officialSamplesValidateAgainstTheProjectSchema(_ message: String) throws {
        let sample = TestPaths.reference.appendingPathComponent("ceb/202205/samples/import/\(message)Message.xml")
        let document = try XMLDocument.parse(Data(contentsOf: sample))
        let issues = try Self.projectSchema.get().validate(document)
        #expect(issues.isEmpty, "\(issues.map(\.description))")
    }

    @Test(arguments: FixtureOrders.names, [MessageKind.ceb623, .ceb625])
    func builtApplicationsValidateAgainstBothSchemas(_ fixture: String, _ kind: MessageKind) throws {
        let (order, tax) = try FixtureOrders.load(fixture)
        let catalog = try Shared.catalog.get()
        let document = try catalog.makeChangeFiling(kind, order: order, tax: tax, change: Self.change, guid: Shared.guid(kind), now: Shared.now)
        try XMLSignature.signEnveloped(document, with: TestSigner.signer.get())
        let official = try Shared.officialSchema.get().validate(document)
        #expect(official.isEmpty, "official XSD: \(official.map(\.description))")
        #expect(catalog.validate(document, kind: kind).isEmpty)

        let head = kind == .ceb623 ? "//ceb:InvtCancel" : "//ceb:InvtRefundHead"
        #expect(try document.select("\(head)/ceb:invtNo", namespaces: Self.ceb).map(\.text) == [Self.change.invtNo])
        #expect(try document.select("\(head)/ceb:preNo", namespaces: Self.ceb).map(\.text) == [Self.change.preNo ?? ""])
        #expect(try document.select("\(head)/ceb:reason", namespaces: Self.ceb).map(\.text) == [Self.change.reason])
        #expect(try document.select("\(head)/ceb:orderNo", namespaces: Self.ceb).map(\.text) == [order.orderNo])
        if kind == .ceb625 {
            // Every inventory line comes back in full.
            let lines = try document.select("//ceb:InvtRefundList", namespaces: Self.ceb)
            #expect(lines.count == order.items.count)
            #expect(try document.select("//ceb:InvtRefundList/ceb:gnum", namespaces: Self.ceb).map(\.text) == order.items.indices.map { String($0 + 1) })
        }
    }

    @Test func anApplicationWithoutAReasonIsRefusedByPointer() throws {
        let (order, tax) = try FixtureOrders.load(try #require(FixtureOrders.names.first))
        let empty = OrderChangeInputs(invtNo: "31002026I000000007", preNo: nil, reason: "")
        #expect(throws: YidanError.self) {
            _ = try Shared.catalog.get().makeChangeFiling(.ceb623, order: order, tax: tax, change: empty, guid: Shared.guid(.ceb623), now: Shared.now)
        }
        #expect(throws: YidanError.self) {
            _ = try Shared.catalog.get().makeChangeFiling(.ceb621, order: order, tax: tax, change: Self.change, guid: Shared.guid(.ceb621), now: Shared.now)
        }
    }

    @Test(arguments: AuthorityFilingKind.importFilings)
    func aReversalRestatesTheFilingAndNamesIt(_ kind: AuthorityFilingKind) throws {
        let fixture = try #require(FixtureOrders.names.first)
        let (order, tax) = try FixtureOrders.load(fixture)
        let catalog = try Shared.catalog.get()
        let originalGuid = "5C1E0A7E-0000-4000-8000-00000000B001"
        let original = try catalog.makeAuthorityFiling(kind, order: order, tax: tax, annualBefore: 0, guid: originalGuid, now: Shared.now)
        try XMLSignature.signEnveloped(original, with: TestSigner.signer.get())
        let reversalGuid = "5C1E0A7E-0000-4000-8000-00000000B002"
        let later = ZonedDateTime(instant: Shared.now.instant.addingTimeInterval(86_400), utcOffsetSeconds: 0)
        let reversal = try catalog.makeReversal(of: original.serialized(), kind: kind, guid: reversalGuid, now: later)

        #expect(catalog.validate(reversal, authorityFiling: kind).isEmpty)
        #expect(MappingCatalog.reversedGuid(in: reversal, kind: kind) == originalGuid)
        #expect(MappingCatalog.reversedGuid(in: original, kind: kind) == nil)
        #expect(reversal.root?.attribute("guid") == reversalGuid)
        let ns = ["f": kind.namespaceURI]
        let body = kind == .taxImport ? "Head" : "Record"
        #expect(try reversal.select("/*/f:\(body)/f:guid", namespaces: ns).map(\.text) == [reversalGuid])
        #expect(try reversal.select("/*/f:\(body)/f:appTime", namespaces: ns).map(\.text) == [later.format("yyyyMMddHHmmss", inOffset: ZonedDateTime.beijingOffsetSeconds)])
        // The amounts are the original's, unchanged; its signature is gone (the caller signs).
        let amount = kind == .taxImport ? "taxTotal" : "rmbAmount"
        #expect(try reversal.select("/*/f:\(body)/f:\(amount)", namespaces: ns).map(\.text)
            == original.select("/*/f:\(body)/f:\(amount)", namespaces: ns).map(\.text))
        #expect(reversal.root?.children("Signature", namespaceURI: "http://www.w3.org/2000/09/xmldsig#").isEmpty == true)
        // A reversal is never reversed again.
        #expect(throws: YidanError.self) {
            _ = try catalog.makeReversal(of: reversal.serialized(), kind: kind, guid: "5C1E0A7E-0000-4000-8000-00000000B003", now: later)
        }
    }
}
