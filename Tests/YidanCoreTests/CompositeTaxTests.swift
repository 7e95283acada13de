import Foundation
import Testing
import YidanCore

/// Test vectors T1–T7 of reference/filings/TEST_VECTORS.md, exact Decimal equality.
@Suite struct CompositeTaxTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func d(_ text: String) -> Decimal {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? .nan
    }

    static func rates(vat: String, consumption: String = "0", duty: String = "0", prefix: String = "1901") throws -> TaxRateTable {
        try TaxRateTable(rates: [TaxRate(hsPrefix: prefix, vat: d(vat), consumption: d(consumption), duty: d(duty), source: "test", description: "test")])
    }

    static func item(_ sku: String, gcode: String = "1901101000", qty: String = "1", price: String) -> OrderItem {
        let total = Money.round(d(qty) * d(price))
        return OrderItem(sku: sku, name: "goods", model: "model", gcode: gcode, originCountry: "AU", unit: "罐",
                         qty: d(qty), qty1: d("0.9"), unit1: "千克", unitPrice: d(price), totalPrice: total)
    }

    static func order(_ items: [OrderItem], freight: String = "0", insurance: String = "0", currency: String = "CNY") -> NormalizedOrder {
        let time = ZonedDateTime(iso8601: "2026-11-11T10:00:00+08:00") ?? .now()
        let goods = items.reduce(Decimal(0)) { $0 + $1.totalPrice }
        return NormalizedOrder(
            orderNo: "T-1", platform: "yidan", orderTime: time, tradeMode: .directPurchase, currency: currency,
            goodsValue: goods, freight: d(freight), insurance: d(insurance), discount: 0,
            buyer: Buyer(name: "测试", idType: "1", idNumber: "11010519491231002X", phone: "13800000000", registrationNo: "u1"),
            consignee: Consignee(name: "测试", phone: "13800000000", address: "北京市朝阳区测试路1号", country: "CN", district: nil),
            items: items,
            payment: Payment(companyCode: "4403169D3W", companyName: "pay", transactionId: "P1", amount: 0, payTime: time),
            logistics: Logistics(companyCode: "4403180A1B", companyName: "log", waybillNo: "W1", grossWeight: 1, netWeight: 1, packCount: 1),
            enterprises: Enterprises(ebpCode: "4401960A01", ebpName: "p", ebcCode: "4401960A02", ebcName: "c",
                                     agentCode: "4401960A03", agentName: "a", assureCode: "4401960A02"),
            customs: CustomsCodes(customsCode: "5141", portCode: "5141", transportMode: "5")
        )
    }

    @Test func t1OrdinaryGoodsMilkPowder() throws {
        let tax = try CompositeTax.compute(order: Self.order([Self.item("A", price: "300")], freight: "20"),
                                           rates: Self.rates(vat: "0.13"), annualUsedBefore: 0)
        #expect(tax.dutiable == Self.d("320.00"))
        #expect(tax.consumptionTax == 0)
        #expect(tax.duty == 0)
        #expect(tax.vat == Self.d("29.12"))
        #expect(tax.total == Self.d("29.12"))
        #expect(tax.fullRate == false)
        #expect(tax.allowanceUse == Self.d("320"))
    }

    @Test func t2HighEndSkincare() throws {
        let order = Self.order([Self.item("S", gcode: "3304990099", price: "425")])
        let tax = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13", consumption: "0.15", prefix: "3304"), annualUsedBefore: 0)
        #expect(tax.dutiable / (1 - Self.d("0.15")) == Self.d("500"))
        #expect(tax.consumptionTax == Self.d("52.50"))
        #expect(tax.vat == Self.d("45.50"))
        #expect(tax.total == Self.d("98.00"))
        #expect(Money.round(tax.total / tax.dutiable * 100, scale: 2) == Self.d("23.06"))
    }

    @Test func t3SkincareUnderOlderVAT() throws {
        let order = Self.order([Self.item("S", gcode: "3304990099", price: "425")])
        let tax = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.17", consumption: "0.15", prefix: "3304"), annualUsedBefore: 0)
        #expect(tax.consumptionTax == Self.d("52.50"))
        #expect(tax.vat == Self.d("59.50"))
        #expect(tax.total == Self.d("112.00"))
    }

    @Test func t4SingleIndivisibleItemOverLimitPaysFullRate() throws {
        let order = Self.order([Self.item("BAG", gcode: "4202210090", price: "6000")])
        let tax = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13", duty: "0.10", prefix: "4202"), annualUsedBefore: Self.d("10000"))
        #expect(tax.fullRate)
        #expect(tax.dutiable == Self.d("6000"))
        #expect(tax.duty == Self.d("600.00"))
        #expect(tax.vat == Self.d("858.00"))
        #expect(tax.consumptionTax == 0)
        #expect(tax.total == Self.d("1458.00"))
        #expect(tax.allowanceUse == Self.d("6000"))
    }

    @Test func t4SingleItemOverLimitStillCappedByTheYear() throws {
        let order = Self.order([Self.item("BAG", gcode: "4202210090", price: "6000")])
        #expect(throws: YidanError.self) {
            try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13", duty: "0.10", prefix: "4202"), annualUsedBefore: Self.d("20000.01"))
        }
    }

    @Test func t5SeveralItemsOverLimitAreRefused() throws {
        let twoLines = Self.order([Self.item("A", price: "3000"), Self.item("B", price: "2500")])
        let twoPieces = Self.order([Self.item("A", qty: "2", price: "2600")])
        for order in [twoLines, twoPieces] {
            do {
                _ = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13"), annualUsedBefore: 0)
                Issue.record("expected a refusal")
            } catch let error as YidanError {
                #expect(error.code == .notEligible)
                #expect(error.message.contains("5000.00 per-order limit"))
                #expect(error.message.contains("general trade"))
            }
        }
    }

    @Test func t5ExactlyTheLimitIsStillWithin() throws {
        let tax = try CompositeTax.compute(order: Self.order([Self.item("A", price: "3000"), Self.item("B", price: "2000")]),
                                           rates: Self.rates(vat: "0.13"), annualUsedBefore: 0)
        #expect(tax.fullRate == false)
        #expect(tax.total == Self.d("455.00"))
    }

    @Test func t6AnnualCap() throws {
        let order = Self.order([Self.item("A", price: "3000")])
        do {
            _ = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13"), annualUsedBefore: Self.d("24000"))
            Issue.record("expected a refusal")
        } catch let error as YidanError {
            #expect(error.code == .notEligible)
            #expect(error.message.contains("27000.00"))
            #expect(error.message.contains("26000.00"))
        }
        // 23000 + 3000 = 26000 is exactly the limit and still allowed.
        let tax = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13"), annualUsedBefore: Self.d("23000"))
        #expect(tax.total == Self.d("273.00"))
    }

    @Test func t7CompositeRates() {
        func percent(_ vat: String, _ consumption: String) -> Decimal {
            Money.round(CompositeTax.compositeRate(vat: Self.d(vat), consumption: Self.d(consumption)) * 100, scale: 4)
        }
        #expect(percent("0.13", "0") == Self.d("9.1"))
        #expect(percent("0.13", "0.15") == Self.d("23.0588"))
        #expect(percent("0.17", "0") == Self.d("11.9"))
        #expect(percent("0.17", "0.30") == Self.d("47"))
    }

    @Test func freightIsApportionedToTheFenAndPerItemTaxesAreSummed() throws {
        // 10.00 over 100 / 100 / 100: 3.33 + 3.33 + 3.34 would be wrong order; largest remainder, ties go first.
        let items = [Self.item("A", price: "100"), Self.item("B", price: "100"), Self.item("C", price: "100")]
        let tax = try CompositeTax.compute(order: Self.order(items, freight: "10"), rates: Self.rates(vat: "0.13"), annualUsedBefore: 0)
        #expect(tax.items.map(\.dutiable) == [Self.d("103.34"), Self.d("103.33"), Self.d("103.33")])
        #expect(tax.items.map(\.vat) == [Self.d("9.40"), Self.d("9.40"), Self.d("9.40")])
        #expect(tax.vat == Self.d("28.20"))
        #expect(tax.dutiable == Self.d("310"))
    }

    @Test func unknownHSCodeIsRefusedWithAFieldIssue() throws {
        let order = Self.order([Self.item("A", price: "100"), Self.item("B", gcode: "8703231990", price: "100")])
        do {
            _ = try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13"), annualUsedBefore: 0)
            Issue.record("expected a refusal")
        } catch let failure as ValidationFailure {
            #expect(failure.issues == [FieldIssue(pointer: "/items/1/gcode", value: "8703231990", rule: "has no tax rate in the tax-rate table")])
        }
    }

    @Test func nonRMBOrderIsRefused() throws {
        let order = Self.order([Self.item("A", price: "100")], currency: "USD")
        #expect(throws: YidanError.self) { try CompositeTax.compute(order: order, rates: Self.rates(vat: "0.13"), annualUsedBefore: 0) }
    }

    @Test func projectTaxTableLoadsAndLongestPrefixWins() throws {
        let csv = try String(contentsOf: Self.root.appendingPathComponent("Mappings/tables/tax-rates.csv"), encoding: .utf8)
        let table = try TaxRateTable(csv: csv)
        #expect(table.rates.count >= 15)
        #expect(table.rate(forHSCode: "3304990099")?.consumption == Self.d("0.15"))
        #expect(table.rate(forHSCode: "2204210000")?.consumption == Self.d("0.10"))
        #expect(table.rate(forHSCode: "4901990000")?.vat == Self.d("0.09"))
        #expect(table.rate(forHSCode: "8703231990") == nil)

        let nested = try TaxRateTable(csv: #"""
            hs_prefix,vat,consumption,duty,source,description
            33,0.13,0,0.05,test,"cosmetics, generic"
            3304,0.13,0.15,0.01,test,"skincare, ""high-end"""
            """#)
        #expect(nested.rate(forHSCode: "3304990099")?.hsPrefix == "3304")
        #expect(nested.rate(forHSCode: "3304990099")?.description == "skincare, \"high-end\"")
        #expect(nested.rate(forHSCode: "3305100000")?.hsPrefix == "33")
    }

    @Test func taxTableRefusesDefaultRowsAndBadRates() {
        let header = "hs_prefix,vat,consumption,duty,source,description\n"
        for body in ["*,0.13,0,0,test,default", "3304,13,0,0,test,percent", "3304,0.13,0,0,,no source", "3304,0.13,0,0,test"] {
            #expect(throws: YidanError.self) { try TaxRateTable(csv: header + body) }
        }
        #expect(throws: YidanError.self) { try TaxRateTable(csv: header + "3304,0.13,0,0,a,b\n3304,0.13,0,0,a,b") }
    }
}
