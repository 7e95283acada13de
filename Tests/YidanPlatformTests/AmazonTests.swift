import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates

/// The demo shop's Amazon files: the shared profile, and the Amazon catalog and
/// identities under `Fixtures/platforms/amazon/merchant`.
enum AmazonMerchant {
    static let folder = PlatformPaths.fixtures.appendingPathComponent("platforms/amazon/merchant")
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
}

/// Every member named `key`, at any depth, set to `value`: the test-side
/// stand-in for "the response of the same order" where the reference examples
/// come from different API calls (see `AmazonTests` and `BigCommerceTests`).
func settingMembers(named key: String, to value: JSONValue, in document: JSONValue) -> JSONValue {
    switch document {
    case .object(let members):
        .object(members.map { member in
            (member.key, member.key == key ? value : settingMembers(named: key, to: value, in: member.value))
        })
    case .array(let values):
        .array(values.map { settingMembers(named: key, to: value, in: $0) })
    default:
        document
    }
}

/// Amazon SP-API Orders v0 arrives as separate calls (getOrder, getOrderItems,
/// getOrderBuyerInfo, getOrderAddress) that are accepted together, each checked
/// to name the same AmazonOrderId; Orders 2026-01-01 is one document with typed
/// breakdowns.
///
/// The v0 reference examples are of different orders (the getOrder sandbox case
/// 921-3175655-0452641, the getOrderItems example 903-1671087-0812628, the
/// buyerInfo and address examples of ordersV0.json 902-3159896-1390916): as
/// published they are refused together, and the combined order is tested by
/// giving the other responses the order's AmazonOrderId, the only change made.
/// The sandbox getOrder has no BuyerInfo (restricted data), so the buyer's
/// account (customs buyerRegNo) comes from the getOrderBuyerInfo example.
@Suite("Amazon SP-API orders: v0 getOrder + getOrderItems, 2026-01-01 getOrder")
struct AmazonTests {
    static let getOrder = "ordersV0__getOrder__sandbox_TEST_CASE_IBA_200.json"
    static let getOrderItems = "ordersV0__getOrderItems__example.json"
    static let order2026 = "orders_2026-01-01__getOrder__example.json"
    static let v0OrderId = "921-3175655-0452641"

    /// getOrder plus getOrderItems and getOrderBuyerInfo re-addressed to the getOrder's AmazonOrderId.
    static func v0Bundle() throws -> [JSONValue] {
        let order = try Platforms.document("amazon-sp-api", getOrder)
        let items = try Platforms.document("amazon-sp-api", getOrderItems)
        let buyer = try modelExample("/orders/v0/orders/{orderId}/buyerInfo")
        return [order] + [items, buyer].map { settingMembers(named: "AmazonOrderId", to: .string(v0OrderId), in: $0) }
    }

    /// The documented 200 response of an Orders v0 operation, read from the shared ordersV0.json.
    static func modelExample(_ operation: String) throws -> JSONValue {
        let model = try JSONParser().parse(Data(contentsOf: PlatformPaths.payload("amazon-sp-api", "ordersV0.json")))
        let example = model["paths"]?[operation]?["get"]?["responses"]?["200"]?["examples"]?["application/json"]
        return try #require(example)
    }

    @Test func v0OrderWithItemsMatchesGoldenAndFilesAllFourMessages() throws {
        let registry = try Platforms.registry.get()
        let bundle = try Self.v0Bundle()
        #expect(registry.detect(bundle[0]) == "amazon")
        #expect(bundle.dropFirst().allSatisfy { registry.detect($0) == nil }, "getOrderItems and getOrderBuyerInfo are parts, not orders")
        let orders = try registry.extract(bundle)
        try #require(orders.count == 1)
        let assembled = try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "amazon", name: "ordersV0__getOrder_with_getOrderItems_and_buyerInfo")
        try expectFilesAllFourMessages(assembled.order)

        let order = assembled.order
        #expect(order.orderNo == Self.v0OrderId)
        // PurchaseDate "2019-05-07T15:42:57.058Z": CEB times are whole seconds.
        #expect(order.orderTime.iso8601 == "2019-05-07T15:42:57Z")
        #expect(order.items.map(\.sku) == ["CBA_OTF_1", "CBA_OTF_5"])
        #expect(order.items.map(\.qty) == [1, 2])
        // ItemPrice is the line total in JPY; JPY→CNY = 8.1470 / 163.36 (ECB 2025-05-09) to 5 significant digits.
        let jpy = try AmazonMerchant.context.get().rates?.rate(from: "JPY", on: Platforms.declarationDate)
        #expect(jpy?.rate == Decimal(string: "0.049871"))
        // 25.99 × 0.049871 = 1.2961… → 1.30; 17.95 × 0.049871 = 0.8951… → 0.90.
        #expect(order.items.map(\.totalPrice) == [Decimal(string: "1.30"), Decimal(string: "0.90")])
        #expect(order.goodsValue == Decimal(string: "2.20"))
        #expect(assembled.provenance["/buyer/registrationNo"] == .platform(source: "amazon[buyer]:/payload/BuyerEmail"))
    }

    /// Without getOrderBuyerInfo the sandbox order names no buyer account: refused, saying where it comes from.
    @Test func v0OrderAndItemsWithoutBuyerInfoNameTheMissingAccount() throws {
        let bundle = try Array(Self.v0Bundle().prefix(2))
        let orders = try Platforms.registry.get().extract(bundle)
        try #require(orders.count == 1)
        let failure = try #require(throws: ValidationFailure.self) { try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0]) }
        #expect(failure.issues.map(\.pointer) == ["/buyer/registrationNo"], "\(failure)")
        #expect(failure.issues.first?.rule.contains("amazon.yaml fields.buyer.registrationNo") == true)
    }

    /// One item is priced in JPY with its gift wrap in GBP: every amount is
    /// converted from its own currency and only then added.
    @Test func v0MixedCurrenciesAreConvertedAmountByAmount() throws {
        let orders = try Platforms.registry.get().extract(Self.v0Bundle())
        try #require(orders.count == 1)
        let first = orders[0].items[0]
        #expect(first["currency"]?.text == "JPY")
        #expect(first["freight.giftWrap"] == SourcedValue(text: "41.99", source: "amazon[items]:/payload/OrderItems/0/BuyerInfo/GiftWrapPrice/Amount"))
        #expect(first["freight.giftWrap.currency"]?.text == "GBP")
        #expect(orders[0].items[1]["freight.giftWrap.currency"]?.text == "JPY")

        let context = try AmazonMerchant.context.get()
        let rates = try #require(context.rates)
        let on = Platforms.declarationDate
        let expected = try [
            rates.convert(Decimal(string: "1.26") ?? 0, from: "JPY", on: on),   // item 0 ShippingPrice
            rates.convert(Decimal(string: "41.99") ?? 0, from: "GBP", on: on),  // item 0 GiftWrapPrice
            rates.convert(Decimal(string: "10.00") ?? 0, from: "JPY", on: on),  // item 0 CODFee
            rates.convert(Decimal(string: "1.99") ?? 0, from: "JPY", on: on),   // item 1 GiftWrapPrice
        ].reduce(Decimal(0)) { $0 + $1.cny }
        let assembled = try Platforms.assembler(context).assemble(orders[0])
        #expect(assembled.order.freight == expected)
        #expect(assembled.order.discount == (try rates.convert(1, from: "JPY", on: on).cny), "CODFeeDiscount 1.00 JPY")
        let freight = try #require(assembled.provenance["/freight"]).description
        #expect(freight.contains("Σ of 4 amounts") && freight.contains("GBP") && freight.contains("JPY"), "\(freight)")
        #expect(freight.contains("amazon[items]:/payload/OrderItems/0/BuyerInfo/GiftWrapPrice/Amount"), "\(freight)")
    }

    /// The reference examples as published belong to two orders: refused, naming both.
    @Test func v0ResponsesOfDifferentOrdersAreRefused() throws {
        let documents = try [Self.getOrder, Self.getOrderItems].map { try Platforms.document("amazon-sp-api", $0) }
        let error = try #require(throws: YidanError.self) { try Platforms.registry.get().extract(documents) }
        #expect(error.code == .invalidOrder)
        #expect(error.message == "the amazon items document belongs to order 903-1671087-0812628 (items /payload/AmazonOrderId), not to order 921-3175655-0452641 (/AmazonOrderId): give the responses of one order together")
    }

    @Test func v0ItemsAloneAreNotAnOrder() throws {
        let items = try Platforms.document("amazon-sp-api", Self.getOrderItems)
        let error = try #require(throws: YidanError.self) { try Platforms.registry.get().extract([items]) }
        #expect(error.message.hasPrefix("not an order: the payload is an Amazon Orders v0 getOrderItems response"), "\(error.message)")
    }

    /// getOrder alone has no lines: read, then refused with every missing field at once.
    @Test func v0OrderWithoutItemsIsRefusedNamingTheItemsCall() throws {
        let orders = try Platforms.registry.get().extract([Platforms.document("amazon-sp-api", Self.getOrder)])
        try #require(orders.count == 1)
        #expect(orders[0].items.isEmpty)
        let failure = try #require(throws: ValidationFailure.self) { try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0]) }
        #expect(failure.issues.contains { $0.pointer == "/items" && $0.rule.contains("no line items") }, "\(failure)")
    }

    /// getOrderAddress (the example inside ordersV0.json, read from the shared
    /// model file) supplies the ship-to; re-addressed like the items response.
    @Test func v0AddressResponseGivesTheShipTo() throws {
        let address = try Self.modelExample("/orders/v0/orders/{orderId}/address")
        let registry = try Platforms.registry.get()
        let mismatch = try #require(throws: YidanError.self) { try registry.extract(Self.v0Bundle() + [address]) }
        #expect(mismatch.message.hasPrefix("the amazon address document belongs to order 902-3159896-1390916"), "\(mismatch.message)")

        let orders = try registry.extract(Self.v0Bundle() + [settingMembers(named: "AmazonOrderId", to: .string(Self.v0OrderId), in: address)])
        try #require(orders.count == 1)
        #expect(orders[0].fields["consignee.country"] == SourcedValue(text: "US", source: "amazon[address]:/payload/ShippingAddress/CountryCode"))
        #expect(orders[0].fields["consignee.address"]?.text == "1 cross st, Canton, MI, 48817")
        // The identities file's China delivery address wins over the forwarder's US ship-to.
        let assembled = try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0])
        #expect(assembled.order.consignee.country == "CN")
        #expect(assembled.provenance["/consignee/address"] == .identities(orderNo: Self.v0OrderId, column: "consigneeAddress"))
    }

    @Test func orders2026MatchesGoldenAndFilesAllFourMessages() throws {
        let document = try Platforms.document("amazon-sp-api", Self.order2026)
        let registry = try Platforms.registry.get()
        #expect(registry.detect(document) == "amazon")
        let orders = try registry.extract([document])
        try #require(orders.count == 1)
        let fields = orders[0].fields
        // Typed breakdowns are picked by type, not by position.
        #expect(fields["freight.shipping"] == SourcedValue(text: "10.00", source: "amazon:/order/proceeds/breakdowns/1/subtotal/amount"))
        #expect(fields["logistics.waybillNo"]?.text == "RR123456789GB")
        #expect(orders[0].items.first?["totalPrice"] == SourcedValue(text: "89.97", source: "amazon:/order/orderItems/0/proceeds/breakdowns/0/subtotal/amount"))

        let assembled = try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "amazon", name: Self.order2026)
        try expectFilesAllFourMessages(assembled.order)
        let order = assembled.order
        #expect(order.orderNo == "202-1234567-8901234")
        // The seller SKU is longer than a customs itemNo: the catalog row names it in platformRefs.
        #expect(order.items.map(\.sku) == ["ECHO-DOT4-CHARCOAL"])
        #expect(order.items.map(\.qty) == [3])
        let gbp = try #require(AmazonMerchant.context.get().rates).convert(Decimal(string: "89.97") ?? 0, from: "GBP", on: Platforms.declarationDate)
        #expect(order.goodsValue == gbp.cny)
        #expect(order.logistics.waybillNo == "RR123456789GB")
        #expect(assembled.provenance["/logistics/waybillNo"] == .platform(source: "amazon:/order/packages/0/trackingNumber"))
    }

    /// `*[type=SHIPPING]` picks the breakdown by its type: the same order with
    /// its breakdowns listed in another order reads the same amounts.
    @Test func orders2026BreakdownsArePickedByTypeNotPosition() throws {
        let document = try Platforms.document("amazon-sp-api", Self.order2026)
        func reversingBreakdowns(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members):
                .object(members.map { member in
                    if member.key == "breakdowns", case .array(let list) = member.value { (member.key, .array(list.reversed())) }
                    else { (member.key, reversingBreakdowns(member.value)) }
                })
            case .array(let values): .array(values.map(reversingBreakdowns))
            default: value
            }
        }
        let registry = try Platforms.registry.get()
        let orders = try registry.extract([reversingBreakdowns(document)])
        try #require(orders.count == 1)
        #expect(orders[0].fields["freight.shipping"] == SourcedValue(text: "10.00", source: "amazon:/order/proceeds/breakdowns/1/subtotal/amount"))
        #expect(orders[0].items.first?["totalPrice"] == SourcedValue(text: "89.97", source: "amazon:/order/orderItems/0/proceeds/breakdowns/2/subtotal/amount"))
        let original = try Platforms.assembler(AmazonMerchant.context.get()).assemble(registry.extract([document])[0]).order
        #expect(try Platforms.assembler(AmazonMerchant.context.get()).assemble(orders[0]).order == original)
    }

    /// A same-order rule must name both paths; a charge component cannot be called `currency`.
    @Test func malformedBundleAndComponentRulesStopLoading() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-amazon-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("platforms")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("tables"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: PlatformPaths.mappings.appendingPathComponent("tables/country.csv"), to: root.appendingPathComponent("tables/country.csv")
        )
        func load(_ yaml: String) throws -> YidanError {
            try Data(yaml.utf8).write(to: folder.appendingPathComponent("probe.yaml"))
            return try #require(throws: YidanError.self) { try PlatformRegistry(directory: folder) }
        }
        let base = "platform: probe\nshapes:\n  - {name: one, when: {exists: /id}, orders: \"\"}\n"
        let sameOrder = try load(base + "documents:\n  items:\n    when: {exists: /lines}\n    same-order: {document: /order_id}\nfields:\n  orderNo: /id\n")
        #expect(sameOrder.message.hasPrefix("probe.yaml line 7: documents.items.same-order must be {document: PATH, order: PATH}"), "\(sameOrder.message)")
        let component = try load(base + "fields:\n  orderNo: /id\n  freight.currency: /ccy\n")
        #expect(component.message.contains("fields.freight.currency is not a normalized field"), "\(component.message)")
    }

    /// searchOrders wraps orders in a list: each one is filed.
    @Test func orders2026SearchResultYieldsEachOrder() throws {
        let one = try Platforms.document("amazon-sp-api", Self.order2026)
        let order = try #require(one["order"])
        let list = JSONValue.object([("orders", .array([order, settingMembers(named: "orderId", to: .string("202-7654321-0000001"), in: order)]))])
        let orders = try Platforms.registry.get().extract([list])
        #expect(orders.map { $0.fields["orderNo"]?.text } == ["202-1234567-8901234", "202-7654321-0000001"])
        #expect(orders.map { $0.items.count } == [1, 1])
    }
}
