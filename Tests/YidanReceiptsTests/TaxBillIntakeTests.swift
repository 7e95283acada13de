import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanReceipts
import YidanStore
import YidanXML

/// CEB816 bills through the receipt applier into a real SQLite store: matched
/// by the inventory number the CEB622 receipt carried, reconciled, stored.
@Suite struct TaxBillIntakeTests {
    struct Setup {
        let folder: URL
        let store: SQLiteFilingStore
        let applier: ReceiptApplier
        let order: NormalizedOrder
        let tax: OrderTax
        let inventoryGuid = "0A0A0A0A-0000-4000-8000-000000000621"

        init() async throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-taxbill-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            store = try SQLiteFilingStore(path: folder.appendingPathComponent("s.sqlite").path)
            let statuses = try ReturnStatusTable(csv: String(
                contentsOf: TaxBillTests.root.appendingPathComponent("Mappings/tables/return-status.csv"), encoding: .utf8))
            let rates = try TaxRateTable(csv: String(
                contentsOf: TaxBillTests.root.appendingPathComponent("Mappings/tables/tax-rates.csv"), encoding: .utf8))
            applier = ReceiptApplier(store: store, statuses: statuses, taxRates: rates)
            (order, tax) = try TaxBillTests.fixtureTax()
            let json = try Data(contentsOf: TaxBillTests.root.appendingPathComponent("Fixtures/orders/skincare-9610.json"))
            _ = try await store.accept(OrderSubmission(
                orderNo: order.orderNo, platform: "test", orderJSON: json,
                filings: [PreparedFiling(id: inventoryGuid, kind: .ceb621, payload: Data("<b/>".utf8), idempotencyKey: "k621")],
                allowance: nil, acceptedAt: Date()
            ))
        }

        /// The CEB622 receipt customs sends on storing the inventory, with its number.
        func inventoryReceipt() -> Data {
            Data("""
            <CEB622Message xmlns="http://www.chinaport.gov.cn/ceb" guid="1B1B1B1B-0000-4000-8000-000000000622" version="1.0">
              <InventoryReturn><guid>\(inventoryGuid)</guid><customsCode>5142</customsCode><copNo>C1</copNo>
                <preNo>B20261129000000001</preNo><invtNo>\(TaxBillTests.invtNo)</invtNo><returnStatus>120</returnStatus>
                <returnTime>20261129100000000</returnTime><returnInfo>ok</returnInfo></InventoryReturn>
            </CEB622Message>
            """.utf8)
        }
    }

    @Test func aMatchingBillIsReconciledAndAVarianceIsStoredWithBothAmounts() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        _ = try await setup.applier.apply(bytes: setup.inventoryReceipt(), channel: "inbox")
        #expect(try await setup.store.orderNo(forInvtNo: TaxBillTests.invtNo) == setup.order.orderNo)

        // Wrapped in a DxpMsg, as the callback delivers it: a tax bill moves no filing.
        let plain = TaxBillTests.ceb816(setup.tax).serialized()
        let envelope = Data(#"<DxpMsg xmlns="http://www.chinaport.gov.cn/dxp" ver="1.0"><Data>\#(plain.base64EncodedString())</Data></DxpMsg>"#.utf8)
        #expect(try await setup.applier.apply(bytes: envelope, channel: "http").isEmpty)

        let item = try #require(setup.tax.items.first)
        let off = item.vat + (try #require(Money.parse("0.01")))
        _ = try await setup.applier.apply(bytes: TaxBillTests.ceb816(setup.tax, itemVAT: [1: off]).serialized(), channel: "inbox")

        let bills = try await setup.store.taxBills(orderNo: setup.order.orderNo)
        #expect(bills.map(\.status) == [.reconciled, .differs])
        #expect(bills.first?.raw == plain)
        #expect(bills.last?.differences.first { $0.kind == "itemValue" } == TaxBillRecord.Difference(
            kind: "itemValue", field: "valueAddedTax", gnum: 1,
            expected: Money.format(item.vat, minScale: 2), billed: Money.format(off, minScale: 2)
        ))
        // Receipts are still read as before.
        #expect(try await setup.store.filing(id: setup.inventoryGuid)?.lastReturnStatus == "120")
    }

    @Test func aBillForAnUnknownInventoryIsKeptAndReported() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        _ = try await setup.applier.apply(bytes: TaxBillTests.ceb816(setup.tax).serialized(), channel: "inbox")
        #expect(try await setup.store.taxBills(orderNo: setup.order.orderNo).isEmpty)
        let strays = try await setup.store.unmatchedTaxBills(limit: 10)
        #expect(strays.count == 1)
        #expect(strays.first?.status == .unmatched)
        #expect(strays.first?.invtNo == TaxBillTests.invtNo)
    }

    @Test func aBillThroughTheInboxFolderIsTakenLikeAReceipt() async throws {
        let setup = try await Setup()
        defer { try? FileManager.default.removeItem(at: setup.folder) }
        let inbox = setup.folder.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        try setup.inventoryReceipt().write(to: inbox.appendingPathComponent("CEB622_A_000001.xml"))
        try TaxBillTests.ceb816(setup.tax).serialized().write(to: inbox.appendingPathComponent("CEB816_A_000002.xml"))
        #expect(try await InboxWatcher(directory: inbox, applier: setup.applier).scanOnce() == 2)
        #expect(FileManager.default.fileExists(atPath: inbox.appendingPathComponent("processed/CEB816_A_000002.xml").path))
        #expect(try await setup.store.taxBills(orderNo: setup.order.orderNo).map(\.status) == [.reconciled])
    }
}
