import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
import YidanRates
import YidanSigning

/// The demo shop's BigCommerce files: the shared profile, and the catalog,
/// and identities under `Fixtures/platforms/bigcommerce/merchant`.
enum BigCommerceMerchant {
    static let folder = PlatformPaths.fixtures.appendingPathComponent("platforms/bigcommerce/merchant")
    static let context = Result {
        var context = try MerchantContext.load(
            profile: PlatformPaths.merchant.appendingPathComponent("profile.yaml"),
            catalog: folder.appendingPathComponent("catalog.csv"),
            identities: folder.appendingPathComponent("identities.csv"),
            rates: [PlatformPaths.ecb20250509]
        )
        context.rateDate = .fixed(Platforms.declarationDate)
        return context
    }

    static let taxRates = Platforms.taxRates

    static func assembler() throws -> OrderAssembler {
        try OrderAssembler(context: context.get(), taxRates: taxRates.get())
    }
}

/// BigCommerce v2: the order links its lines and addresses as sub-resources,
/// fetched by separate calls and accepted together, each checked to name the
/// order's id. The reference examples come from four different orders (order
/// 218; products of 149; shipping addresses of 229; taxes of 138): as published
/// they are refused together, and the combined order is tested by setting the
/// sub-resources' order_id to 218, the only change made.
@Suite("BigCommerce v2 orders: order + products + shipping addresses, collections, RFC 2822 dates")
struct BigCommerceTests {
    static let order = "orders.v2__get-order__example.json"
    static let parts = ["orders.v2__order-products__example.json", "orders.v2__order-shipping-addresses__example.json", "orders.v2__order-taxes__example.json"]
    static let collection = "bigcommerce-api-ruby__order.json"

    /// The order with its sub-resources re-addressed to order 218.
    static func bundle() throws -> [JSONValue] {
        try [Platforms.document("bigcommerce", order)] + parts.map {
            settingMembers(named: "order_id", to: .number("218"), in: try Platforms.document("bigcommerce", $0))
        }
    }

    @Test func orderWithSubResourcesMatchesGoldenAndFilesAllFourMessages() throws {
        let registry = try Platforms.registry.get()
        let bundle = try Self.bundle()
        #expect(registry.detect(bundle[0]) == "bigcommerce")
        #expect(bundle.dropFirst().allSatisfy { registry.detect($0) == nil }, "sub-resources are parts, not orders")
        let orders = try registry.extract(bundle)
        try #require(orders.count == 1)
        let assembled = try BigCommerceMerchant.assembler().assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "bigcommerce", name: "orders.v2__get-order_with_sub-resources")
        try Self.expectFilesAllFourMessages(assembled.order)

        let order = assembled.order
        #expect(order.orderNo == "218")
        // "Tue, 05 Mar 2019 21:40:11 +0000" (RFC 2822).
        #expect(order.orderTime.iso8601 == "2019-03-05T21:40:11Z")
        // The bundle's child line (ABS, parent_order_product_id 65) is not declared.
        #expect(order.items.map(\.sku) == ["S-ORAN"])
        let usd = try #require(BigCommerceMerchant.context.get().rates)
        let on = Platforms.declarationDate
        #expect(order.goodsValue == (try usd.convert(Decimal(string: "55.99") ?? 0, from: "USD", on: on).cny))
        // shipping 11.09 + handling 0 + wrapping 0 + fees 4.00 (cost_ex_tax) + 12.30 (cost_exc_tax), each converted.
        let freight = try ["11.0900", "0.0000", "0.0000", "4.0000", "12.3000"].reduce(Decimal(0)) {
            $0 + (try usd.convert(Decimal(string: $1) ?? 0, from: "USD", on: on).cny)
        }
        #expect(order.freight == freight)
        // discount_amount and coupon_discount are separate deductions.
        let discount = try usd.convert(5, from: "USD", on: on).cny * 2
        #expect(order.discount == discount)
        #expect(assembled.provenance["/orderTime"] == .platform(source: "bigcommerce:/date_created"))
        #expect(assembled.provenance["/items/0/barcode"] == .catalog(sku: "S-ORAN", column: "barcode"))
    }

    @Test func subResourcesAreReadFromTheirOwnDocuments() throws {
        let orders = try Platforms.registry.get().extract(Self.bundle())
        try #require(orders.count == 1)
        let line = orders[0].items[0]
        #expect(line["unitPrice"] == SourcedValue(text: "55.9900", source: "bigcommerce[products]:/0/price_ex_tax"))
        #expect(line["barcode"]?.text == "1234567891112")
        #expect(orders[0].fields["consignee.name"] == SourcedValue(text: "Trishy Smith", source: "bigcommerce[shipping_addresses]:/0/first_name + /0/last_name"))
        #expect(orders[0].fields["consignee.country"]?.text == "US")
        #expect(orders[0].fields["currency"] == SourcedValue(text: "USD", source: "bigcommerce:/default_currency_code"))
    }

    /// The reference examples as published belong to four orders: refused, naming the first mismatch.
    @Test func subResourcesOfAnotherOrderAreRefused() throws {
        let documents = try ([Self.order] + Self.parts).map { try Platforms.document("bigcommerce", $0) }
        let error = try #require(throws: YidanError.self) { try Platforms.registry.get().extract(documents) }
        #expect(error.code == .invalidOrder)
        #expect(error.message == "the bigcommerce products document belongs to order 149 (products /0/order_id), not to order 218 (/id): give the responses of one order together")
    }

    /// A collection (GET /v2/orders) files each order; the 2012 fixture's order
    /// links its products without listing them, so it is refused for want of lines.
    @Test func collectionYieldsEachOrderWithRFC2822Dates() throws {
        let registry = try Platforms.registry.get()
        let fixture = try Platforms.document("bigcommerce", Self.collection)
        #expect(registry.detect(fixture) == "bigcommerce")
        let single = try registry.extract([fixture])
        try #require(single.count == 1)
        #expect(single[0].fields["orderTime"] == SourcedValue(text: "2012-03-02T21:36:24Z", source: "bigcommerce:/0/date_created"))
        #expect(single[0].items.isEmpty)
        let failure = try #require(throws: ValidationFailure.self) { try BigCommerceMerchant.assembler().assemble(single[0]) }
        #expect(failure.issues.contains { $0.pointer == "/items" && $0.rule.contains("no line items") }, "\(failure)")

        guard case .array(let olderOrders) = fixture else {
            Issue.record("the fixture is a collection")
            return
        }
        let both = JSONValue.array(olderOrders + [try Platforms.document("bigcommerce", Self.order)])
        let orders = try registry.extract([both])
        #expect(orders.map { $0.fields["orderNo"]?.text } == ["100", "218"])
        #expect(orders.map { $0.fields["orderTime"]?.text } == ["2012-03-02T21:36:24Z", "2019-03-05T21:40:11Z"])
    }

    /// Maps into CEB311/411/511/621 with this platform's tax rates, signs the
    /// inventory and checks every message against the project's schema.
    static func expectFilesAllFourMessages(_ order: NormalizedOrder, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let catalog = try Platforms.mappingCatalog.get()
        let tax = try CompositeTax.compute(order: order, rates: BigCommerceMerchant.taxRates.get(), annualUsedBefore: 0)
        for kind in MessageKind.importDeclaration {
            let document = try catalog.makeFiling(kind, order: order, tax: tax, guid: Platforms.guid(kind), now: Platforms.now)
            if kind == .ceb621 {
                try XMLSignature.signEnveloped(document, with: Platforms.signer.get())
            }
            let issues = catalog.validate(document, kind: kind)
            #expect(issues.isEmpty, "\(kind.rawValue): \(issues.map(\.description))", sourceLocation: sourceLocation)
        }
    }
}
