import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite("WooCommerce orders: wc/v3 and the legacy wc-api/v3")
struct WooCommerceTests {
    static let current = "wp-api-v3__retrieve-order.response.json"
    static let legacy = "legacy-wc-api-v3__view-order.response.json"

    @Test func currentAPIOrderMatchesGoldenAndFilesAllFourMessages() throws {
        #expect(try Platforms.registry.get().detect(Platforms.document("woocommerce", Self.current)) == "woocommerce")
        let assembled = try assembleReference("woocommerce", Self.current)
        try expectMatchesGoldens(assembled, platform: "woocommerce", name: Self.current)
        try expectFilesAllFourMessages(assembled.order)
        let order = assembled.order
        #expect(order.orderNo == "727")
        // date_created_gmt "2017-03-22T19:28:02" is UTC; date_created is the shop's local time.
        #expect(order.orderTime.iso8601 == "2017-03-22T19:28:02Z")
        // The line without a SKU is found by its product id (catalog platformRefs woocommerce:product:93).
        #expect(order.items.map(\.sku) == ["WOO-SINGLE-1", "Bar3"])
        #expect(assembled.provenance["/items/0/sku"] == .catalog(sku: "WOO-SINGLE-1", column: "sku (matched by platformRefs woocommerce:product:93)"))
        #expect(assembled.provenance["/items/1/sku"] == .platform(source: "woocommerce:/line_items/1/sku"))
        // JSON number 3 (unit price) and string "6.00" (subtotal) are both read exactly.
        #expect(order.items[0].qty == 2)
        #expect(order.freight == Decimal(string: "72.41"))  // 10.00 USD
        #expect(assembled.provenance["/logistics/waybillNo"] == .identities(orderNo: "727", column: "waybillNo"))
    }

    @Test func currentAPIListYieldsEachOrder() throws {
        let single = try Platforms.document("woocommerce", Self.current)
        let orders = try Platforms.registry.get().extract([.array([single, single])])
        #expect(orders.count == 2)
        #expect(orders.map { $0.fields["orderNo"]?.source } == ["woocommerce:/0/number", "woocommerce:/1/number"])
    }

    @Test func legacyAPIOrderMatchesGoldenAndFilesAllFourMessages() throws {
        #expect(try Platforms.registry.get().detect(Platforms.document("woocommerce", Self.legacy)) == "woocommerce")
        let assembled = try assembleReference("woocommerce", Self.legacy)
        try expectMatchesGoldens(assembled, platform: "woocommerce", name: Self.legacy)
        try expectFilesAllFourMessages(assembled.order)
        let order = assembled.order
        #expect(order.orderNo == "645")
        #expect(order.orderTime.iso8601 == "2015-01-26T20:00:21Z")
        // Neither line has a SKU: both are found by product id.
        #expect(order.items.map(\.sku) == ["WOO-PREMIUM-TEE", "Bar3"])
        #expect(order.items.map(\.qty) == [2, 1])
        #expect(assembled.provenance["/freight"].map { "\($0)" }?.contains("woocommerce:/order/total_shipping") == true)
    }

    /// Without the identities row, everything only the merchant knows is named at once.
    @Test func missingSideFileFieldsAreReportedTogether() throws {
        var context = try Platforms.context.get()
        context.identities = .empty
        let failure = try #require(throws: ValidationFailure.self) { try assembleReference("woocommerce", Self.current, context: context) }
        let pointers = failure.issues.map(\.pointer)
        #expect(pointers.contains("/buyer/idNumber"))
        #expect(pointers.contains("/buyer/name"))
        #expect(pointers.contains("/payment/transactionId"))
        #expect(pointers.contains("/logistics/waybillNo"))
        #expect(pointers.contains("/consignee/country"), "the US ship-to address is refused: \(failure)")
        let idNumber = try #require(failure.issues.first { $0.pointer == "/buyer/idNumber" })
        #expect(idNumber.rule.contains("identities.csv column idNumber of the row for order 727"), "\(idNumber.rule)")
        let country = try #require(failure.issues.first { $0.pointer == "/consignee/country" })
        #expect(country.value == "US")
        #expect(country.rule.contains("woocommerce:/shipping/country") && country.rule.contains("column consigneeCountry"), "\(country.rule)")
    }
}
