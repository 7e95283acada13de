import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite("Order assembler: joins, provenance, missing fields")
struct AssemblerTests {
    static func value(_ text: String, _ path: String) -> SourcedValue { SourcedValue(text: text, source: "demo:\(path)") }

    /// A CNY order needs no exchange rates.
    static let cnyOrder = PlatformOrder(
        platform: "demo",
        fields: [
            "orderNo": value("1001", "/no"), "orderTime": value("2026-11-11T00:00:05+08:00", "/time"), "currency": value("CNY", "/cur"),
            "freight": value("10", "/ship"), "logistics.waybillNo": value("WB1", "/track"),
            "payment.payTime": value("2026-11-11T00:01:00+08:00", "/paid"), "buyer.registrationNo": value("buyer-7", "/account"),
        ],
        items: [["sku": value("IPOD2008RED", "/lines/0/sku"), "qty": value("2", "/lines/0/qty"), "unitPrice": value("99.5", "/lines/0/price")]]
    )

    @Test func cnyOrderHasProvenanceForEveryField() throws {
        let assembled = try Platforms.assembler().assemble(Self.cnyOrder)
        let order = assembled.order
        #expect(order.items[0].totalPrice == 199)
        #expect(order.items[0].qty2 == Decimal(string: "0.4"))
        #expect(order.freight == 10)
        #expect(order.logistics.netWeight == Decimal(string: "0.4"))
        #expect(assembled.provenance["/freight"] == .platform(source: "demo:/ship"))
        #expect(assembled.provenance["/items/0/totalPrice"] == .computed("totalPrice = qty × unitPrice (demo:/lines/0/price)"))
        // Every scalar of the normalized JSON has a provenance line.
        #expect(!assembled.provenanceLines.contains { $0.hasSuffix("(no provenance)") }, "\(assembled.provenanceLines)")
        // 199 + 10 freight + tax (13 % × 70 % of 209 = 19.02) − 0.
        #expect(order.payment.amount == Decimal(string: "228.02"))
        try expectFilesAllFourMessages(order)
    }

    @Test func everyMissingFieldIsReportedTogetherWithWhereToSupplyIt() throws {
        var context = try Platforms.context.get()
        context.identities = .empty
        let bare = PlatformOrder(platform: "demo", fields: ["orderNo": Self.value("77", "/no")],
                                 items: [["sku": Self.value("NOT-IN-CATALOG", "/l/0/sku"), "qty": Self.value("1", "/l/0/q"), "variantId": Self.value("5", "/l/0/v")]])
        let failure = try #require(throws: ValidationFailure.self) { try Platforms.assembler(context).assemble(bare) }
        let byPointer = Dictionary(failure.issues.map { ($0.pointer, $0.rule) }, uniquingKeysWith: { first, _ in first })
        #expect(byPointer["/orderTime"]?.contains("Mappings/platforms/demo.yaml fields.orderTime") == true)
        #expect(byPointer["/currency"]?.contains("fields.currency") == true)
        #expect(byPointer["/freight"] != nil)
        #expect(byPointer["/buyer/idNumber"]?.contains("identities.csv column idNumber of the row for order 77") == true)
        #expect(byPointer["/logistics/waybillNo"]?.contains("or ship first") == true)
        #expect(byPointer["/payment/payTime"] != nil)
        let sku = try #require(byPointer["/items/0/sku"])
        #expect(sku.contains("add a row for SKU NOT-IN-CATALOG to catalog.csv") && sku.contains("demo:variant:5"), "\(sku)")
        #expect(byPointer["/items/0/gcode"] == nil, "consequences of the missing catalog row are not repeated")
        #expect(failure.issues.count >= 10, "\(failure)")
        // No personal value appears: nothing was supplied, and values would be masked.
        #expect(!failure.description.contains("310115199003071239"))
    }

    @Test func foreignCurrencyWithoutRatesIsReportedOnce() throws {
        var context = try Platforms.context.get()
        context.rates = nil
        var order = Self.cnyOrder
        order.fields["currency"] = Self.value("USD", "/cur")
        let failure = try #require(throws: ValidationFailure.self) { try Platforms.assembler(context).assemble(order) }
        let currency = failure.issues.filter { $0.pointer == "/currency" }
        #expect(currency.count == 1)
        #expect(currency.first?.rule.contains("load a rate file") == true)
    }
}
