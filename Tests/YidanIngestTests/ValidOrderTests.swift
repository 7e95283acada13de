import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite struct ValidOrderTests {
    static let d = OrderFixtures.decimal

    @Test func everyValidFixtureIsListed() throws {
        #expect(try OrderFixtures.valid().map(\.lastPathComponent).sorted() == OrderFixtures.validNames.sorted())
    }

    @Test(arguments: OrderFixtures.validNames)
    func fixtureDecodesRoundTripsAndPaysTheComputedTax(name: String) throws {
        let data = try OrderFixtures.data(OrderFixtures.orders.appendingPathComponent(name))
        let order = try NormalizedOrderJSON.decode(data)
        #expect(order.currency == "CNY")
        #expect(order.goodsValue == order.itemsTotal)

        // Round trip: canonical JSON reads back to an equal order, and is a fixed point.
        let encoded = NormalizedOrderJSON.encode(order)
        let again = try NormalizedOrderJSON.decode(encoded)
        #expect(again == order)
        #expect(NormalizedOrderJSON.encode(again) == encoded)

        // End to end: the fixture's payment is goodsValue + freight + tax − discount with our tax.
        let tax = try CompositeTax.compute(order: order, rates: OrderFixtures.taxRates(), annualUsedBefore: 0)
        #expect(order.payment.amount == order.expectedPayment(taxTotal: tax.total))
    }

    @Test func milkPowderIsTestVectorT1() throws {
        let order = try NormalizedOrderJSON.decode(OrderFixtures.data(OrderFixtures.orders.appendingPathComponent("milk-powder-9610.json")))
        #expect(order.orderNo == "YD20261129-0001")
        #expect(order.tradeMode == .directPurchase)
        #expect(order.orderTime.iso8601 == "2026-11-29T10:15:00+08:00")
        #expect(order.orderTime.utcOffsetSeconds == 8 * 3600)
        #expect(order.goodsValue == Self.d("300"))
        #expect(order.freight == Self.d("20"))
        #expect(order.items[0].qty1 == Self.d("1.8"))
        #expect(order.items[0].unit == "罐")
        #expect(order.buyer.idNumber == "110105199003071239")
        #expect(order.consignee.district == "110105")
        #expect(order.customs.emsNo == nil)
        #expect(order.note == nil)
        let tax = try CompositeTax.compute(order: order, rates: OrderFixtures.taxRates(), annualUsedBefore: 0)
        #expect(tax.dutiable == Self.d("320.00"))
        #expect(tax.total == Self.d("29.12"))
        #expect(order.payment.amount == Self.d("349.12"))
    }

    @Test func fixtureTaxes() throws {
        let expected: [String: (total: String, consumption: String, fullRate: Bool)] = [
            "skincare-9610.json": ("98.00", "52.50", false),
            "three-items-9610.json": ("52.49", "0", false),
            "bonded-wine-1210.json": ("97.68", "42.47", false),
            "handbag-full-rate-9610.json": ("1458.00", "0", true),
        ]
        let rates = try OrderFixtures.taxRates()
        for (name, want) in expected {
            let order = try NormalizedOrderJSON.decode(OrderFixtures.data(OrderFixtures.orders.appendingPathComponent(name)))
            let tax = try CompositeTax.compute(order: order, rates: rates, annualUsedBefore: 0)
            #expect(tax.total == Self.d(want.total), "\(name)")
            #expect(tax.consumptionTax == Self.d(want.consumption), "\(name)")
            #expect(tax.fullRate == want.fullRate, "\(name)")
        }
    }

    @Test func bondedOrderCarriesItsAccount() throws {
        let order = try NormalizedOrderJSON.decode(OrderFixtures.data(OrderFixtures.orders.appendingPathComponent("bonded-wine-1210.json")))
        #expect(order.tradeMode == .bonded)
        #expect(order.customs.emsNo == "T5165W000123")
        #expect(order.customs.areaCode == "4401640001")
        #expect(order.note == "保税仓发货 bonded warehouse dispatch")
    }

    @Test func defaultsAndNumbersOrStrings() throws {
        var document = try OrderFixtures.milkPowder()
        for key in ["platform", "insurance", "discount"] { document = document.setting([key], to: nil) }
        // Money may be a JSON number, read from its literal text.
        document = document.setting(["freight"], to: .number("20.00"))
        document = document.setting(["items", "0", "unitPrice"], to: .number("150"))
        document = document.setting(["consignee", "district"], to: .null)
        let order = try NormalizedOrderJSON.decode(document.data)
        #expect(order.platform == "yidan")
        #expect(order.insurance == 0)
        #expect(order.discount == 0)
        #expect(order.freight == Self.d("20"))
        #expect(order.consignee.district == nil)
    }

    @Test func canonicalEncodingWritesAmountsAsStringsAndKeepsOffsets() throws {
        var document = try OrderFixtures.milkPowder()
        document = document.setting(["orderTime"], to: .string("2026-11-29T02:15:00Z"))
        document = document.setting(["payment", "payTime"], to: .string("2026-11-29T05:16:42-05:00"))
        document = document.setting(["freight"], to: .number("20"))
        let order = try NormalizedOrderJSON.decode(document.data)
        let text = String(decoding: NormalizedOrderJSON.encode(order), as: UTF8.self)
        #expect(text.contains(#""orderTime": "2026-11-29T02:15:00Z""#))
        #expect(text.contains(#""payTime": "2026-11-29T05:16:42-05:00""#))
        #expect(text.contains(#""freight": "20.00""#))
        #expect(text.contains(#""qty1": "1.8""#))
        #expect(text.contains(#""packCount": 1"#))
        #expect(text.hasPrefix("{\n  \"orderNo\": \"YD20261129-0001\",\n  \"platform\": \"yidan\","))
        #expect(try NormalizedOrderJSON.decode(Data(text.utf8)) == order)
    }

    @Test(arguments: [
        ("2026-11-29T10:15:00.5+08:00", "2026-11-29T10:15:00.500+08:00"),
        ("2026-11-29T10:15:00.123+08:00", "2026-11-29T10:15:00.123+08:00"),
        ("2026-11-29T10:15:59.999-03:30", "2026-11-29T10:15:59.999-03:30"),
        ("2026-11-29T10:15:00.123456Z", "2026-11-29T10:15:00.123456Z"),
    ])
    func fractionalSecondsRoundTrip(given: String, written: String) throws {
        let document = try OrderFixtures.milkPowder().setting(["orderTime"], to: .string(given))
        let order = try NormalizedOrderJSON.decode(document.data)
        let encoded = NormalizedOrderJSON.encode(order)
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"orderTime\": \"\(written)\""))
        #expect(try NormalizedOrderJSON.decode(encoded) == order)
    }

    @Test func roundTripOfAnOrderBuiltInCode() throws {
        let base = try NormalizedOrderJSON.decode(OrderFixtures.data(OrderFixtures.orders.appendingPathComponent("three-items-9610.json")))
        var order = base
        order.items[0].qty2 = Self.d("120")
        order.items[0].unit2 = "片"
        order.items[0].unitPrice = Self.d("128.12345")
        order.items[0].totalPrice = Self.d("256.25")
        order.goodsValue = order.itemsTotal
        order.note = "line one\n\"quoted\" \\ and 中文"
        order.customs.billNo = nil
        let decoded = try NormalizedOrderJSON.decode(NormalizedOrderJSON.encode(order))
        #expect(decoded == order)
        #expect(decoded.items[0].unitPrice == Self.d("128.12345"))
    }
}
