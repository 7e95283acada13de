import Foundation
import Testing
import YidanCore
@testable import YidanMapping

@Suite("Code tables and source expressions")
struct MappingEngineTests {
    @Test func codeTablesSkipLeadingCommentsAndReadQuotedFields() throws {
        let csv = "# where this comes from, with a comma\r\n# and \"quotes\"\r\ncustoms,zh,en,aliases\r\n007,个,piece,\"pcs|Piece, each\"\r\n122,罐,can,can|CA\r\n"
        let table = try CodeTable(name: "unit", csv: csv)
        #expect(table.columns == ["customs", "zh", "en", "aliases"])
        #expect(table.rows.count == 2)
        let lookup = try table.lookup(from: ["customs", "zh", "aliases"], to: "customs")
        #expect(lookup("PIECE, EACH") == "007")
        #expect(lookup("罐") == "122")
        #expect(lookup(" ca ") == "122")
        #expect(lookup("122") == "122")
        #expect(lookup("thing") == nil)
        #expect(lookup.missRule == "has no customs unit code in Mappings/tables/unit.csv")
    }

    @Test func codeTableRowsMustMatchTheHeader() {
        #expect(throws: YidanError.self) { _ = try CodeTable(name: "bad", csv: "a,b\n1,2,3\n") }
        #expect(throws: YidanError.self) { _ = try CodeTable(name: "bad", csv: "a,b\n\"1,2\n") }
    }

    @Test func expressionsAddAndSubtractPathsAndNumbers() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        let profile = try Shared.catalog.get().profile
        var scope = MappingScope(
            order: order, tax: tax, computed: ComputedValues(order: order, tax: tax),
            guid: Shared.guid(.ceb311), now: Shared.now, profile: profile, itemIndex: 1
        )
        let paid = try MappingExpression.compile("order.goodsValue + order.freight + computed.taxTotal - order.discount", context: "test")
        #expect(paid.evaluate(in: scope) == .decimal(order.payment.amount))
        #expect(try MappingExpression.compile("index + 1", context: "test").evaluate(in: scope) == .decimal(2))
        #expect(try MappingExpression.compile("'I'", context: "test").evaluate(in: scope) == .text("I"))
        #expect(try MappingExpression.compile("-1.5 + 2", context: "test").evaluate(in: scope) == .decimal(Decimal(string: "0.5") ?? 0))
        #expect(try MappingExpression.compile("item.sku", context: "test").evaluate(in: scope) == .text("MP-900G"))
        scope.itemIndex = nil
        #expect(try MappingExpression.compile("order.note", context: "test").evaluate(in: scope) == nil)
        #expect(throws: YidanError.self) { _ = try MappingExpression.compile("order.goodsValue +", context: "test") }
        #expect(throws: YidanError.self) { _ = try MappingExpression.compile("order.goodsValue order.freight", context: "test") }
    }

    @Test func conditionsCompareTheValueAsText() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.bonded())
        let scope = MappingScope(
            order: order, tax: tax, computed: ComputedValues(order: order, tax: tax),
            guid: Shared.guid(.ceb621), now: Shared.now, profile: try Shared.catalog.get().profile, itemIndex: nil
        )
        #expect(try MappingCondition.compile("order.tradeMode = 1210", context: "test").holds(in: scope))
        #expect(try !MappingCondition.compile("order.tradeMode != '1210'", context: "test").holds(in: scope))
        #expect(throws: YidanError.self) { _ = try MappingCondition.compile("order.tradeMode", context: "test") }
    }

    @Test func goodsInfoStaysWithinTwoHundredCharacters() throws {
        var item = SampleOrders.faceCream
        item.name = String(repeating: "长", count: 120)
        let order = SampleOrders.directPurchase(items: [item, item, item])
        let tax = try CompositeTax.compute(order: order, rates: Shared.taxRates.get(), annualUsedBefore: 0)
        let info = ComputedValues(order: order, tax: tax).goodsInfo
        #expect(info.count == 122, "the first entry only: \(info.count)")
        #expect(info.hasSuffix("*2"))
    }
}
