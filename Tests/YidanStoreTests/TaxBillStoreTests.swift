import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SQLiteFilingStore: tax bills and inventory numbers")
struct TaxBillStoreTests {
    let t0 = Fixture.t0
    let invtNo = "514220261000012345"

    func bill(orderNo: String?, status: TaxBillRecord.Status, differences: [TaxBillRecord.Difference] = [], note: String? = nil, seconds: Double = 0) -> TaxBillRecord {
        TaxBillRecord(
            guid: Fixture.guid("bill-\(seconds)"), taxNo: invtNo + "_01", invtNo: invtNo, orderNo: orderNo, status: status,
            differences: differences, note: note, raw: Data("<CEB816Message/>".utf8), receivedAt: t0 + seconds, channel: "http"
        )
    }

    @Test("the inventory number of a CEB622 receipt finds its order; other numbers find none")
    func orderByInventoryNumber() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1"))
        let inventory = Fixture.guid("ORDER-1-\(MessageKind.ceb621.rawValue)")
        #expect(try await store.orderNo(forInvtNo: invtNo) == nil)

        var receipt = Fixture.receipt(for: inventory, kind: .ceb622, status: "120")
        receipt.invtNo = invtNo
        _ = try await store.applyReceipt(receipt) { _ in nil }
        #expect(try await store.orderNo(forInvtNo: invtNo) == "ORDER-1")
        #expect(try await store.orderNo(forInvtNo: "514220261000099999") == nil)

        // A receipt for no filing names no order, whatever number it carries.
        var stray = Fixture.receipt(for: Fixture.guid("nobody"), kind: .ceb622, status: "120")
        stray.invtNo = "514220261000077777"
        #expect(try await store.applyReceipt(stray) { _ in nil } == .unmatched)
        #expect(try await store.orderNo(forInvtNo: "514220261000077777") == nil)
    }

    @Test("bills round-trip with their differences; unmatched ones are kept and listed")
    func billsRoundTrip() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        _ = try await store.accept(Fixture.submission("ORDER-1"))
        let difference = TaxBillRecord.Difference(kind: "itemValue", field: "valueAddedTax", gnum: 1, expected: "9.10", billed: "9.11")
        let reconciled = bill(orderNo: "ORDER-1", status: .reconciled)
        let differs = bill(orderNo: "ORDER-1", status: .differs, differences: [difference], seconds: 1)
        let unmatched = bill(orderNo: nil, status: .unmatched, seconds: 2)
        let unchecked = bill(orderNo: "ORDER-1", status: .unchecked, note: "no rate", seconds: 3)
        for record in [reconciled, differs, unmatched, unchecked] { try await store.recordTaxBill(record) }

        let stored = try await store.taxBills(orderNo: "ORDER-1")
        #expect(stored.map(\.status) == [.reconciled, .differs, .unchecked])
        #expect(stored.allSatisfy { $0.id > 0 })
        var expected = differs
        expected.id = stored[1].id
        #expect(stored[1] == expected)
        #expect(stored[1].differences.first?.summary == "item 1 valueAddedTax: expected 9.10, billed 9.11")
        #expect(stored[2].note == "no rate")
        let strays = try await store.unmatchedTaxBills(limit: 10)
        #expect(strays.map(\.guid) == [unmatched.guid])
        #expect(try await store.unmatchedTaxBills(limit: 0).isEmpty)
    }

    @Test("a bill for an order the store does not hold is refused by the foreign key, not silently orphaned")
    func unknownOrderIsRefused() async throws {
        let folder = try TemporaryStoreFolder()
        let store = try folder.open()
        await #expect(throws: (any Error).self) {
            try await store.recordTaxBill(bill(orderNo: "NO-SUCH-ORDER", status: .reconciled))
        }
    }
}
