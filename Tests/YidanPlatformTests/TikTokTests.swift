import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates

@Suite("TikTok Shop Get Order Detail 202507: one line item per unit, IDR, Unix seconds")
struct TikTokTests {
    static let order = "get-order-detail-202507.response_body.json"
    static let context = Result { try Platforms.marketplaceContext("tiktok") }

    static func document() throws -> JSONValue { try Platforms.document("tiktok-shop", order) }

    @Test func orderDetailMatchesGoldenAndFilesAllFourMessages() throws {
        let registry = try Platforms.registry.get()
        let document = try Self.document()
        #expect(registry.detect(document) == "tiktok")
        let orders = try registry.extract([document])
        try #require(orders.count == 1)
        let fields = orders[0].fields
        #expect(fields["orderNo"] == SourcedValue(text: "576461413038785752", source: "tiktok:/data/orders/0/id"))
        #expect(fields["orderTime"]?.text == "2021-04-28T12:06:01Z")
        #expect(fields["currency"]?.text == "IDR")
        #expect(fields["consignee.country"]?.text == "US")
        #expect(fields.keys.filter { $0.hasPrefix("discount") }.isEmpty)
        #expect(orders[0].items.map { $0["qty"]?.text } == ["1"])

        let assembled = try Platforms.assembler(Self.context.get()).assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "tiktok", name: Self.order)
        try expectFilesAllFourMessages(assembled.order)
        #expect(assembled.order.items.map(\.sku) == ["red_iphone_256"])
        // The sample's prices are placeholders: sale_price 0.01 IDR × 0.00043786 rounds to 0.00 CNY,
        // and the 5000 IDR shipping fee to 2.19 CNY.
        #expect(assembled.order.goodsValue == 0)
        #expect(assembled.order.freight == Decimal(string: "2.19"))
        #expect(assembled.order.logistics.waybillNo == "JX12345")
    }

    /// line_items holds one entry per unit: entries of one sku_id become one line.
    @Test func entriesOfOneSKUBecomeOneLine() throws {
        let document = try Self.document()
        guard case let .array(orders)? = document["data"]?["orders"], let order = orders.first,
              case let .array(lines)? = order["line_items"], let line = lines.first
        else {
            Issue.record("unexpected Get Order Detail sample")
            return
        }
        let units = ["577086512123755123", "577086512123755124"].map { line.replacing("id", with: .string($0)) }
        let twoUnits = document.replacing(["data", "orders"], with: .array([order.replacing("line_items", with: .array(units))]))
        let extracted = try Platforms.registry.get().extract([twoUnits])
        try #require(extracted.count == 1 && extracted[0].items.count == 1)
        let merged = extracted[0].items[0]
        #expect(merged["qty"] == SourcedValue(text: "2", source: "sum over 2 rows of /line_items/* with variantId 2729382476852921560"))
        #expect(merged["totalPrice"]?.text == "0.02")
    }

    @Test func priceDetailAndTransactionsAloneAreNotOrders() throws {
        let registry = try Platforms.registry.get()
        for (name, start) in [
            ("get-price-detail-202407.response_body.json", "not an order: the payload is a TikTok Shop price detail"),
            ("get-transactions-by-order-202501.response_body.json", "not an order: the payload is TikTok Shop finance transactions"),
        ] {
            let error = try #require(throws: YidanError.self) { try registry.extract([Platforms.document("tiktok-shop", name)]) }
            #expect(error.message.hasPrefix(start), "\(error.message)")
        }
    }
}
