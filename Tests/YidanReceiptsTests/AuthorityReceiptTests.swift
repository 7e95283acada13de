import Foundation
import Testing
import YidanCore
import YidanReceipts
import YidanStore
import YidanXML

/// The tax authority's and FX administration's receipts (docs/filings.md,
/// "Receipts"), read by namespace and applied to a real SQLite store.
@Suite struct AuthorityReceiptTests {
    static let taxGuid = "0A0A0A0A-0000-4000-8000-0000000000A1"
    static let fxGuid = "0A0A0A0A-0000-4000-8000-0000000000F1"

    /// A receipt as the simulator writes it: default namespace, no prefix.
    static func unprefixed(_ root: String, _ namespace: String, guid: String, status: String) -> Data {
        Data("""
        <?xml version="1.0" encoding="UTF-8"?>
        <\(root) xmlns="\(namespace)" receiptId="11111111-2222-4333-8444-555555555555" version="1">
          <guid>\(guid.lowercased())</guid>
          <orderNo>YD-AUTH-1</orderNo>
          <returnStatus>\(status)</returnStatus>
          <returnTime>20261129100000123</returnTime>
          <returnInfo>info \(status)</returnInfo>
        </\(root)>
        """.utf8)
    }

    /// The same receipt with a prefix: must read the same.
    static func prefixed(_ root: String, _ namespace: String, guid: String, status: String) -> Data {
        Data("""
        <r:\(root) xmlns:r="\(namespace)" receiptId="11111111-2222-4333-8444-555555555555" version="1">\
        <r:guid>\(guid)</r:guid><r:orderNo>YD-AUTH-1</r:orderNo><r:returnStatus>\(status)</r:returnStatus>\
        <r:returnTime>20261129100000123</r:returnTime><r:returnInfo/></r:\(root)>
        """.utf8)
    }

    static let tax = ("TaxFilingReceipt", "urn:yidan:receipt:tax:v1", "schemas/tax-receipt-v1.xsd")
    static let fx = ("FxFilingReceipt", "urn:yidan:receipt:fx:v1", "schemas/fx-receipt-v1.xsd")

    @Test func readsBothKindsPrefixedOrNotAndTheyFollowTheirSchemas() throws {
        for (kind, shape, guid) in [(ReceiptKind.taxReceipt, Self.tax, Self.taxGuid), (.fxReceipt, Self.fx, Self.fxGuid)] {
            let schema = try XMLSchema(contentsOf: packageRoot.appendingPathComponent("Mappings/\(shape.2)"))
            for bytes in [Self.unprefixed(shape.0, shape.1, guid: guid, status: "2"), Self.prefixed(shape.0, shape.1, guid: guid, status: "2")] {
                #expect(try schema.validate(XMLDocument.parse(bytes)).isEmpty)
                let records = try ReceiptParser.parse(bytes, channel: "callback")
                #expect(records.count == 1)
                let record = try #require(records.first)
                #expect(record.kind == kind)
                #expect(record.messageGuid == guid)
                #expect(record.businessNo == "YD-AUTH-1")
                #expect(record.returnStatus == "2")
                #expect(record.returnTime == "20261129100000123")
                #expect(record.raw == bytes)
                #expect(record.channel == "callback")
            }
        }
    }

    @Test func refusesAWrongRootInAnAuthorityNamespaceAndAMissingField() throws {
        // A tax receipt's namespace with the FX root is neither.
        #expect(throws: YidanError.self) {
            try ReceiptParser.parse(Self.unprefixed("FxFilingReceipt", Self.tax.1, guid: Self.taxGuid, status: "2"), channel: "inbox")
        }
        let noStatus = Data("""
        <TaxFilingReceipt xmlns="urn:yidan:receipt:tax:v1" receiptId="X" version="1"><guid>G</guid><orderNo>O</orderNo>\
        <returnTime>20261129100000123</returnTime><returnInfo/></TaxFilingReceipt>
        """.utf8)
        let error = try #require(throws: YidanError.self) { try ReceiptParser.parse(noStatus, channel: "inbox") }
        #expect(error.description.contains("returnStatus"))
    }

    @Test func appliedReceiptsMoveTaxAndFXFilingsToStoredOrRejected() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-authority-receipts-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteFilingStore(path: folder.appendingPathComponent("s.sqlite").path)
        let csv = try String(contentsOf: packageRoot.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8)
        let applier = ReceiptApplier(store: store, statuses: try ReturnStatusTable(csv: csv))
        let rejectedGuid = "0A0A0A0A-0000-4000-8000-0000000000A2"
        _ = try await store.accept(OrderSubmission(
            orderNo: "YD-AUTH-1", platform: "test", orderJSON: Data("{}".utf8),
            filings: [
                PreparedFiling(id: Self.taxGuid, kind: .taxImport, payload: Data("<t/>".utf8), idempotencyKey: "kt"),
                PreparedFiling(id: Self.fxGuid, kind: .fxPayment, payload: Data("<f/>".utf8), idempotencyKey: "kf"),
                PreparedFiling(id: rejectedGuid, kind: .taxImport, payload: Data("<t2/>".utf8), idempotencyKey: "kt2"),
            ],
            allowance: nil, acceptedAt: Date()
        ))

        // 1 received → declaring, 2 accepted → stored (the final success); lower-case guid still matches.
        #expect(try await applier.apply(bytes: Self.unprefixed(Self.tax.0, Self.tax.1, guid: Self.taxGuid, status: "1"), channel: "inbox")
            == [.advanced(filingID: Self.taxGuid, from: .queued, to: .declaring)])
        #expect(try await applier.apply(bytes: Self.prefixed(Self.tax.0, Self.tax.1, guid: Self.taxGuid, status: "2"), channel: "callback")
            == [.advanced(filingID: Self.taxGuid, from: .declaring, to: .stored)])
        // A late 1 after 2 stays in history only.
        #expect(try await applier.apply(bytes: Self.unprefixed(Self.tax.0, Self.tax.1, guid: Self.taxGuid, status: "1"), channel: "inbox")
            == [.recordedOnly(filingID: Self.taxGuid, status: .stored)])
        #expect(try await store.filing(id: Self.taxGuid)?.status == .stored)

        for status in ["1", "2"] {
            _ = try await applier.apply(bytes: Self.unprefixed(Self.fx.0, Self.fx.1, guid: Self.fxGuid, status: status), channel: "inbox")
        }
        #expect(try await store.filing(id: Self.fxGuid)?.status == .stored)

        // -3 (amounts disagree with customs) rejects.
        #expect(try await applier.apply(bytes: Self.unprefixed(Self.tax.0, Self.tax.1, guid: rejectedGuid, status: "-3"), channel: "inbox")
            == [.advanced(filingID: rejectedGuid, from: .queued, to: .rejected)])

        let history = try await store.receipts(filingID: Self.taxGuid)
        #expect(history.map(\.returnStatus) == ["1", "2", "1"])
        #expect(history.map(\.moved) == [true, true, false])
    }

    @Test func theReturnStatusTableGivesTheContractsMeanings() throws {
        let csv = try String(contentsOf: packageRoot.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8)
        let table = try ReturnStatusTable(csv: csv)
        for kind in [ReceiptKind.taxReceipt, .fxReceipt] {
            #expect(table.status(for: "1", receipt: kind) == .declaring)
            #expect(table.status(for: "2", receipt: kind) == .stored)
            for code in ["-1", "-2", "-3"] {
                #expect(table.status(for: code, receipt: kind) == .rejected)
            }
        }
        // The customs meaning of 2 is untouched.
        #expect(table.status(for: "2", receipt: .ceb312) == .declaring)
    }
}
