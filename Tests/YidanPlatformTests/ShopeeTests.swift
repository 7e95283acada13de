import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates

/// Shopee publishes its `get_order_detail` sample as invalid JSON (SOURCES.md):
/// 1. line 1 is a stray `{` (the object is opened twice);
/// 2. the comma after `"logistics_channel_id": 18080` (in `package_list`) is missing.
/// yidan refuses the file as it is, naming the line and column. The golden test
/// repairs exactly those bytes in memory (the reference file is never copied).
@Suite("Shopee v2 order detail (+ escrow detail): malformed sample, VND, Unix seconds")
struct ShopeeTests {
    static let detail = "v2.order.get_order_detail.response_sample.txt"
    static let escrow = "v2.payment.get_escrow_detail.response_sample.json"
    static let golden = "v2.order.get_order_detail.response_sample+escrow"

    static func publishedDetail() throws -> Data {
        try Data(contentsOf: PlatformPaths.payload("shopee", detail))
    }

    /// Defect 1: the first two bytes `{\n` (a second, stray opening brace on its own line).
    static func removingStrayBrace(_ bytes: Data) throws -> Data {
        try #require(bytes.starts(with: Array("{\n{\n".utf8)), "the sample no longer starts with the stray brace")
        return bytes.dropFirst(2)
    }

    /// Defect 2: one comma inserted after `"logistics_channel_id": 18080`.
    static func insertingMissingComma(_ bytes: Data) throws -> Data {
        let member = Data("\"logistics_channel_id\": 18080".utf8)
        let found = try #require(bytes.range(of: member), "the sample no longer has the member without its comma")
        try #require(bytes[found.upperBound...].starts(with: Array("\n".utf8)), "the member is followed by a comma already")
        var fixed = Data(bytes[..<found.upperBound])
        fixed.append(UInt8(ascii: ","))
        fixed.append(contentsOf: bytes[found.upperBound...])
        return fixed
    }

    static func correctedDetail() throws -> JSONValue {
        try JSONParser().parse(insertingMissingComma(removingStrayBrace(publishedDetail())))
    }

    static let context = Result {
        try Platforms.marketplaceContext("shopee", extraRates: [
            PlatformPaths.fixtures.appendingPathComponent("platforms/shopee/merchant/rates/customs-2025-05-vnd.csv"),
        ])
    }

    @Test func publishedSampleIsRefusedWithLineAndColumnNeverCrashing() throws {
        let published = try Self.publishedDetail()
        let first = try #require(throws: JSONSyntaxError.self) { try JSONParser().parse(published) }
        #expect(first.description == "line 2, column 1: expected a member name in double quotes, found '{'")

        // What `yidan submit`/`ingest` see: the file is an unreadable order, with that position.
        let source = JSONFileSource(url: PlatformPaths.payload("shopee", Self.detail), displayName: Self.detail)
        let document = try #require(try source.next())
        guard case let .unreadable(issues) = document.content else {
            Issue.record("the published sample must not parse")
            return
        }
        #expect(issues.map(\.rule) == ["is not valid JSON: line 2, column 1: expected a member name in double quotes, found '{'"])

        // With only the stray brace removed, the parser stops at the second defect (line 78 of the
        // shortened text: `"allow_self_design_awb"` where a comma should come first).
        let second = try #require(throws: JSONSyntaxError.self) { try JSONParser().parse(Self.removingStrayBrace(published)) }
        #expect(second.description == "line 78, column 25: expected ',' or '}' in an object, found '\"'")
        #expect(try Self.correctedDetail()["response"]?["order_list"] != nil)
    }

    static let orderSN = "2404098R48U37H"

    /// Shopee's two doc samples are of DIFFERENT orders (detail 2404098R48U37H,
    /// escrow 220725D58XURJS): as published they are refused together (same-order).
    @Test func escrowOfAnotherOrderIsRefused() throws {
        let error = try #require(throws: YidanError.self) {
            try Platforms.registry.get().extract([Self.correctedDetail(), Platforms.document("shopee", Self.escrow)])
        }
        #expect(error.message == "the shopee escrow document belongs to order 220725D58XURJS (escrow /response/order_sn), not to order 2404098R48U37H (/order_sn): give the responses of one order together")
    }

    /// The detail and its escrow detail as one order bundle: the escrow sample is
    /// re-addressed to the detail's order_sn (the only change; its amounts are
    /// Shopee's placeholders 0.1 and 10), so the golden shows the join and its sources.
    @Test func correctedDetailWithEscrowMatchesGoldenAndFilesAllFourMessages() throws {
        let registry = try Platforms.registry.get()
        let detail = try Self.correctedDetail()
        let escrow = settingMembers(named: "order_sn", to: .string(Self.orderSN), in: try Platforms.document("shopee", Self.escrow))
        #expect(registry.detect(detail) == "shopee")
        #expect(registry.detect(escrow) == nil)
        let orders = try registry.extract([detail, escrow])
        try #require(orders.count == 1)
        let fields = orders[0].fields
        #expect(fields["orderTime"] == SourcedValue(text: "2024-04-08T18:39:51Z", source: "shopee:/response/order_list/0/create_time"))
        #expect(fields["payment.payTime"]?.text == "2024-04-11T06:42:46Z")
        #expect(fields["freight"] == SourcedValue(text: "0.1", source: "shopee[escrow]:/response/order_income/buyer_paid_shipping_fee"))
        #expect(fields["discount.sellerVoucher"]?.text == "10")
        #expect(fields["discount.shopeeVoucher"]?.text == "10")
        #expect(fields["discount.coins"] == SourcedValue(text: "0.1", source: "shopee[escrow]:/response/order_income/coins"))
        #expect(orders[0].items.map { $0["sku"]?.text } == ["QAZ-SADOER-05"])
        #expect(orders[0].items[0]["unitPrice"] == SourcedValue(text: "48000", source: "shopee:/response/order_list/0/item_list/0/model_discounted_price"))

        let assembled = try Platforms.assembler(Self.context.get()).assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "shopee", name: Self.golden)
        try expectFilesAllFourMessages(assembled.order)

        let order = assembled.order
        #expect(order.orderNo == "2404098R48U37H")
        #expect(order.currency == "CNY")
        // 48000 VND × 0.000278 (the example customs monthly rate; the ECB does not quote VND) = 13.344 → 13.34.
        #expect(order.items.map(\.totalPrice) == [Decimal(string: "13.34")])
        #expect(order.consignee.country == "CN")
        #expect(assembled.provenance["/consignee/name"] == .identities(orderNo: "2404098R48U37H", column: "consigneeName"))
        let paid = try #require(assembled.provenance["/payment/amount"]).description
        #expect(paid.contains("platform reported total 32119 VND"), "\(paid)")
    }

    /// Without the escrow detail, freight is Shopee's estimated shipping fee and there is no voucher discount.
    @Test func detailAloneUsesTheEstimatedShippingFee() throws {
        let orders = try Platforms.registry.get().extract([Self.correctedDetail()])
        try #require(orders.count == 1)
        #expect(orders[0].fields["freight"] == SourcedValue(text: "5000", source: "shopee:/response/order_list/0/estimated_shipping_fee"))
        #expect(orders[0].fields.keys.filter { $0.hasPrefix("discount") }.isEmpty)
        let assembled = try Platforms.assembler(Self.context.get()).assemble(orders[0])
        // 5000 VND × 0.000278 = 1.39.
        #expect(assembled.order.freight == Decimal(string: "1.39"))
        #expect(assembled.order.discount == 0)
    }

    @Test func vndWithoutACustomsRateIsRefusedNamingTheCurrency() throws {
        let orders = try Platforms.registry.get().extract([Self.correctedDetail()])
        let failure = try #require(throws: ValidationFailure.self) {
            try Platforms.assembler(Platforms.marketplaceContext("shopee")).assemble(orders[0])
        }
        let currency = try #require(failure.issues.first { $0.pointer == "/currency" })
        #expect(currency.value == "VND")
        #expect(currency.rule.hasPrefix("cannot be converted to CNY"), "\(currency.rule)")
    }

    @Test func escrowOrInvoiceAloneIsNotAnOrder() throws {
        let registry = try Platforms.registry.get()
        let escrowOnly = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("shopee", Self.escrow)], platform: "shopee")
        }
        #expect(escrowOnly.message == "the documents hold shopee escrow but no order")
        let invoice = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("shopee", "v2.order.get_buyer_invoice_info.response_sample.json")])
        }
        #expect(invoice.message.hasPrefix("not an order: the payload is Shopee buyer invoice information"), "\(invoice.message)")
    }
}

extension Platforms {
    /// The demo merchant's profile (`Fixtures/merchant/profile.yaml`) with a
    /// platform's own catalog and identities (`Fixtures/platforms/<platform>/merchant/`),
    /// the ECB rates of 2025-05-09 plus `extraRates`, converted at the declaration date.
    static func marketplaceContext(_ platform: String, extraRates: [URL] = []) throws -> MerchantContext {
        let folder = PlatformPaths.fixtures.appendingPathComponent("platforms/\(platform)/merchant")
        var context = try MerchantContext.load(
            profile: PlatformPaths.merchant.appendingPathComponent("profile.yaml"),
            catalog: folder.appendingPathComponent("catalog.csv"),
            identities: folder.appendingPathComponent("identities.csv"),
            rates: [PlatformPaths.ecb20250509] + extraRates
        )
        context.rateDate = .fixed(declarationDate)
        return context
    }
}
