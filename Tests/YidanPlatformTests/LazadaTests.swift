import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanRates

@Suite("Lazada GetOrder + GetOrderItems: one row per unit, country by name, SGD")
struct LazadaTests {
    static let order = "GetOrder.response_sample.json"
    static let items = "GetOrderItems.response_sample.json"
    static let golden = "GetOrder+GetOrderItems.response_sample"

    static let context = Result { try Platforms.marketplaceContext("lazada") }

    /// GetOrder with its GetOrderItems re-addressed to the order: Lazada's two doc
    /// samples are of different orders (order_id 16090, the item row's 31202), and
    /// setting the row's order_id is the only change made.
    static func bundle() throws -> [JSONValue] {
        let items = try Platforms.document("lazada", items)
        return [try Platforms.document("lazada", order), settingMembers(named: "order_id", to: .string("16090"), in: items)]
    }

    @Test func itemsOfAnotherOrderAreRefused() throws {
        let error = try #require(throws: YidanError.self) {
            try Platforms.registry.get().extract([Platforms.document("lazada", Self.order), Platforms.document("lazada", Self.items)])
        }
        #expect(error.message == "the lazada items document belongs to order 31202 (items /data/0/order_id), not to order 16090 (/order_id): give the responses of one order together")
    }

    @Test func orderWithItemsMatchesGoldenAndFilesAllFourMessages() throws {
        let registry = try Platforms.registry.get()
        let documents = try Self.bundle()
        #expect(registry.detect(documents[0]) == "lazada")
        #expect(registry.detect(documents[1]) == nil)
        let orders = try registry.extract(documents)
        try #require(orders.count == 1)
        let fields = orders[0].fields
        #expect(fields["orderTime"] == SourcedValue(text: "2014-10-15T18:36:05+08:00", source: "lazada:/data/created_at"))
        #expect(fields["currency"] == SourcedValue(text: "SGD", source: "lazada[items]:/data/0/currency"))
        #expect(fields["consignee.country"] == SourcedValue(text: "SG", source: "lazada:/data/address_shipping/country"))
        // payment_time "1697193374592" is in milliseconds.
        #expect(fields["payment.payTime"]?.text == "2023-10-13T10:36:14Z")
        #expect(fields["logistics.waybillNo"]?.text == "456")
        #expect(orders[0].items.count == 1)
        #expect(orders[0].items[0]["qty"] == SourcedValue(text: "1", source: "lazada.yaml items.fields.qty const"))

        let assembled = try Platforms.assembler(Self.context.get()).assemble(orders[0])
        try expectMatchesGoldens(assembled, platform: "lazada", name: Self.golden)
        try expectFilesAllFourMessages(assembled.order)

        let order = assembled.order
        #expect(order.orderNo == "300034416")
        // Lazada's SKU BRSD#02 is not a customs item number: the catalog row BRSD-02 names it in platformRefs.
        #expect(order.items.map(\.sku) == ["BRSD-02"])
        #expect(assembled.provenance["/items/0/sku"] == .catalog(sku: "BRSD-02", column: "sku (matched by platformRefs lazada:sku:BRSD#02)"))
        let rate = try Platforms.ecbRates.get().rate(from: "SGD", on: Platforms.declarationDate)
        #expect(order.items[0].totalPrice == Money.round(Decimal(99) * rate.rate, scale: 2))
        #expect(order.logistics.waybillNo == "456")
    }

    /// GetOrderItems returns one row per unit: three rows of one SKU are one line of qty 3.
    @Test func rowsOfOneSKUBecomeOneLine() throws {
        let documents = try Self.bundle()
        guard case let .object(response) = documents[1], case let .array(rows)? = documents[1]["data"], let row = rows.first else {
            Issue.record("unexpected GetOrderItems sample")
            return
        }
        // The sample's one row three times, as three units with their own order_item_id.
        let units = ["98108", "98109", "98110"].map { id in row.replacing("order_item_id", with: .string(id)) }
        let items = JSONValue.object(response.map { $0.key == "data" ? (key: "data", value: .array(units)) : $0 })
        let orders = try Platforms.registry.get().extract([documents[0], items])
        try #require(orders.count == 1 && orders[0].items.count == 1)
        let line = orders[0].items[0]
        #expect(line["qty"] == SourcedValue(text: "3", source: "sum over 3 rows of @items/data/* with sku BRSD#02"))
        #expect(line["totalPrice"]?.text == "297")
        #expect(line["unitPrice"]?.text == "99.00")
        let assembled = try Platforms.assembler(Self.context.get()).assemble(orders[0])
        #expect(assembled.order.items[0].qty == 3)
        #expect(assembled.order.items[0].qty2 == Decimal(string: "0.9"))
    }

    @Test func countryNamesBecomeISOCodesAndUnknownNamesAreRefused() throws {
        let documents = try Self.bundle()
        func withCountry(_ name: String) -> JSONValue {
            documents[0].replacing(["data", "address_shipping", "country"], with: .string(name))
        }
        let registry = try Platforms.registry.get()
        let malaysia = try registry.extract([withCountry("Malaysia"), documents[1]])
        #expect(malaysia[0].fields["consignee.country"]?.text == "MY")
        let failure = try #require(throws: ValidationFailure.self) { try registry.extract([withCountry("Atlantis"), documents[1]]) }
        #expect(failure.issues == [FieldIssue(
            pointer: "lazada:/data/address_shipping/country", value: "Atlantis", rule: "is not a country name in Mappings/tables/country.csv"
        )])
    }

    /// GetOrders lists orders (without items) and writes created_at in RFC 3339; GetOrder
    /// writes "2014-10-15 18:36:05 +0800". A time without its offset is refused.
    @Test func orderListAndBothTimeNotations() throws {
        let single = try #require(try Platforms.document("lazada", Self.order)["data"])
        func list(createdAt: String) -> JSONValue {
            .object([("code", .string("0")), ("data", .object([
                ("count", .number("1")), ("orders", .array([single.replacing("created_at", with: .string(createdAt))])),
            ]))])
        }
        let registry = try Platforms.registry.get()
        let orders = try registry.extract([list(createdAt: "2018-02-09T22:44:30+08:00")])
        try #require(orders.count == 1)
        #expect(orders[0].fields["orderTime"] == SourcedValue(text: "2018-02-09T22:44:30+08:00", source: "lazada:/data/orders/0/created_at"))
        #expect(orders[0].items.isEmpty)
        let failure = try #require(throws: ValidationFailure.self) { try registry.extract([list(createdAt: "2014-10-15 18:36:05")]) }
        #expect(failure.issues == [FieldIssue(
            pointer: "lazada:/data/orders/0/created_at", value: "2014-10-15 18:36:05",
            rule: "is not a space-offset time such as 2014-10-15 18:36:05 +0800"
        )])
    }

    @Test func itemsOrFinanceDetailsAloneAreNotOrders() throws {
        let registry = try Platforms.registry.get()
        let itemsOnly = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("lazada", Self.items)], platform: "lazada")
        }
        #expect(itemsOnly.message == "the documents hold lazada items but no order")
        let finance = try #require(throws: YidanError.self) {
            try registry.extract([Platforms.document("lazada", "QueryTransactionDetails.response_sample.json")])
        }
        #expect(finance.message.hasPrefix("not an order: the payload is Lazada finance transaction details"), "\(finance.message)")
    }
}

extension JSONValue {
    /// The object with one member's value replaced (test inputs derived from a reference sample).
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard case let .object(members) = self else { return self }
        return .object(members.map { $0.key == key ? (key: key, value: value) : $0 })
    }

    /// The document with the value at a path of object keys replaced.
    func replacing(_ path: [String], with value: JSONValue) -> JSONValue {
        guard let first = path.first else { return value }
        guard case let .object(members) = self else { return self }
        return .object(members.map { $0.key == first ? (key: first, value: $0.value.replacing(Array(path.dropFirst()), with: value)) : $0 })
    }
}
