import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite("Magento 2 orders")
struct MagentoTests {
    static let order = "adobedocs__GET_V1_orders_3.response.json"

    @Test func orderMatchesGoldenAndFilesAllFourMessages() throws {
        #expect(try Platforms.registry.get().detect(Platforms.document("magento", Self.order)) == "magento")
        let assembled = try assembleReference("magento", Self.order)
        try expectMatchesGoldens(assembled, platform: "magento", name: Self.order)
        try expectFilesAllFourMessages(assembled.order)
        let order = assembled.order
        #expect(order.orderNo == "000000003")
        // created_at "2017-08-21 22:22:19" carries no zone: Magento means UTC.
        #expect(order.orderTime.iso8601 == "2017-08-21T22:22:19Z")
    }

    /// Nine lines: the bundle's four children and the configurable's child repeat
    /// their parents (parent_item_id), the downloadable line is virtual.
    @Test func childAndVirtualLinesAreSkipped() throws {
        let orders = try Platforms.registry.get().extract([Platforms.document("magento", Self.order)])
        try #require(orders.count == 1)
        #expect(orders[0].items.map { $0["sku"]?.text } == ["WS12-M-Orange", "24-WG080-24-WG084-24-WG088-24-WG082-blue-24-WG086", "MH01-S-Gray"])
        #expect(orders[0].items.map { $0["totalPrice"]?.text } == ["22", "68", "52"])
        let assembled = try Platforms.assembler().assemble(orders[0])
        // The bundle's 49-character SKU is not a catalog SKU: its product id finds the row.
        #expect(assembled.order.items.map(\.sku) == ["WS12-M-Orange", "SPRITE-YOGA-KIT", "MH01-S-Gray"])
    }
}
