import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates

@Suite("Shopify REST orders: single, list, webhook body, with transactions")
struct ShopifyTests {
    static let order = "shopify_python_api__order.json"

    @Test func singleOrderMatchesGoldenAndFilesAllFourMessages() throws {
        let document = try Platforms.document("shopify", Self.order)
        #expect(try Platforms.registry.get().detect(document) == "shopify")
        let assembled = try assembleReference("shopify", Self.order)
        try expectMatchesGoldens(assembled, platform: "shopify", name: Self.order)
        try expectFilesAllFourMessages(assembled.order)

        let order = assembled.order
        #expect(order.orderNo == "1001")
        #expect(order.currency == "CNY")
        #expect(order.items.map(\.sku) == ["IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"])
        // 199.00 USD × 7.2405 (8.1470 / 1.1252, half-up to 4 decimals) = 1440.8595 → 1440.86 per line.
        #expect(order.items.map(\.totalPrice) == [Decimal(string: "1440.86"), Decimal(string: "1440.86"), Decimal(string: "1440.86")])
        #expect(order.goodsValue == Decimal(string: "4322.58"))
        #expect(order.logistics.waybillNo == "1Z2345")
        #expect(order.logistics.netWeight == Decimal(string: "0.6"))
        #expect(order.logistics.grossWeight == Decimal(string: "0.85"))
        let price = try #require(assembled.provenance["/items/0/totalPrice"])
        guard case let .converted(from, currency, rate, rateDate, _, origin) = price else {
            Issue.record("expected a conversion, found \(price)")
            return
        }
        #expect(from == "199.00" && currency == "USD" && rate == Decimal(string: "7.2405") && rateDate == "2025-05-09")
        #expect(origin.contains("shopify:/order/line_items/0/price"))
        let paid = try #require(assembled.provenance["/payment/amount"]).description
        #expect(paid.contains("platform reported total 409.94 USD"), "\(paid)")
    }

    /// A webhook (orders/create, orders/paid) posts the bare order object.
    @Test func webhookBodyGivesTheSameOrder() throws {
        let wrapped = try Platforms.document("shopify", Self.order)
        let bare = try #require(wrapped["order"])
        let registry = try Platforms.registry.get()
        #expect(registry.detect(bare) == "shopify")
        let orders = try registry.extract([bare])
        try #require(orders.count == 1)
        #expect(orders[0].fields["orderNo"]?.source == "shopify:/name")
        let fromWebhook = try Platforms.assembler().assemble(orders[0])
        #expect(fromWebhook.order == (try assembleReference("shopify", Self.order)).order)
    }

    /// The list fixture holds one order whose line items were left out: it is
    /// read, then refused with every missing field named at once.
    @Test func listPayloadIsReadAndItsItemlessOrderRefused() throws {
        let orders = try Platforms.registry.get().extract([Platforms.document("shopify", "shopify_python_api__orders.json")])
        try #require(orders.count == 1)
        #expect(orders[0].fields["orderNo"]?.source == "shopify:/orders/0/name")
        #expect(orders[0].fields["freight"]?.source == "shopify.yaml fields.freight default")
        #expect(orders[0].items.isEmpty)
        do {
            _ = try Platforms.assembler().assemble(orders[0])
            Issue.record("an order without line items must be refused")
        } catch let failure as ValidationFailure {
            let text = failure.description
            try expectMatchesGolden(Data((text + "\n").utf8), platform: "shopify", file: "shopify_python_api__orders.refusal.txt")
            #expect(failure.issues.contains { $0.pointer == "/items" && $0.rule.contains("no line items") })
        }
    }

    @Test func lineItemAloneIsRefusedAsNotAnOrder() throws {
        let lineItem = try Platforms.document("shopify", "go-shopify__orderlineitem_valid.json")
        let registry = try Platforms.registry.get()
        #expect(registry.detect(lineItem) == nil)
        let error = try #require(throws: YidanError.self) { try registry.extract([lineItem]) }
        #expect(error.code == .invalidOrder)
        #expect(error.message.hasPrefix("not an order: the payload is a Shopify line item"), "\(error.message)")
    }

    @Test func refundAndTransactionsAloneAreNotOrders() throws {
        let registry = try Platforms.registry.get()
        let refund = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("shopify", "shopify_python_api__refund.json")])
        }
        #expect(refund.message.hasPrefix("not an order"))
        let transactions = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("shopify", "shopify_python_api__transactions.json")], platform: "shopify")
        }
        #expect(transactions.message == "the documents hold shopify transactions but no order")
    }

    /// The order and its transactions arrive as two API responses: the payment's
    /// transaction id comes from the second.
    @Test func orderWithTransactionsTakesTheTransactionId() throws {
        let documents = try ["shopify_python_api__order.json", "shopify_python_api__transactions.json"].map { try Platforms.document("shopify", $0) }
        let orders = try Platforms.registry.get().extract(documents)
        try #require(orders.count == 1)
        #expect(orders[0].fields["payment.transactionId"] == SourcedValue(text: "389404469", source: "shopify[transactions]:/0/id"))

        var context = try Platforms.context.get()
        let row = try #require(context.identities.identity(orderNo: "1001"))
        var values = row.values
        values["transactionId"] = nil
        context.identities = BuyerIdentities([BuyerIdentity(orderNo: "1001", values: values)])
        let assembled = try Platforms.assembler(context).assemble(orders[0])
        #expect(assembled.order.payment.transactionId == "389404469")
        #expect(assembled.provenance["/payment/transactionId"] == .platform(source: "shopify[transactions]:/0/id"))
    }

    /// With the default policy the rate is the order date's: a 2008 order has none in a 2025 file.
    @Test func orderTimeRatePolicyRefusesARateFromAnotherYear() throws {
        var context = try Platforms.context.get()
        context.rateDate = .orderTime
        let failure = try #require(throws: ValidationFailure.self) { try assembleReference("shopify", Self.order, context: context) }
        let currency = try #require(failure.issues.first { $0.pointer == "/currency" })
        #expect(currency.value == "USD")
        #expect(currency.rule.contains("2008-01-11") && currency.rule.contains("2025-05-09"), "\(currency.rule)")
    }

    @Test func usdToCNYCrossRateOfTheECBFile() throws {
        let rate = try Platforms.ecbRates.get().rate(from: "USD", on: Platforms.declarationDate)
        #expect(rate.rate == Decimal(string: "7.2405"))
        #expect(rate.rateDate == "2025-05-09")
    }
}
