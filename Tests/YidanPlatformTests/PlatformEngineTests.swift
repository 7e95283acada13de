import Foundation
import Testing
import YidanCore
import YidanIngest

/// A registry over one mapping file written by the test, in a temporary
/// `Mappings`-like folder (the country table is the project's).
func registry(yaml: String, file: String = "test.yaml") throws -> PlatformRegistry {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-platforms-\(UUID().uuidString)")
    let platforms = root.appendingPathComponent("platforms")
    let tables = root.appendingPathComponent("tables")
    try FileManager.default.createDirectory(at: platforms, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: tables, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    try FileManager.default.copyItem(at: PlatformPaths.mappings.appendingPathComponent("tables/country.csv"), to: tables.appendingPathComponent("country.csv"))
    try yaml.write(to: platforms.appendingPathComponent(file), atomically: true, encoding: .utf8)
    return try PlatformRegistry(directory: platforms)
}

func json(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

@Suite("Platform mapping engine: paths, conversions, detection")
struct PlatformEngineTests {
    static let yaml = """
        platform: demo
        documents:
          extra: {when: {exists: [/extra_of]}}
        shapes:
          - name: one
            when: {exists: [/order/no]}
            orders: /order
          - name: list
            when: {exists: ["/orders/*/no"]}
            orders: /orders/*
        refuse:
          - name: line
            when: {exists: [/sku], absent: [/no]}
            message: a demo line, not an order
        fields:
          orderNo: {path: /no, strip-prefix: "#"}
          orderTime: {paths: [/placed_unix, /placed_2822, /placed_naive, /placed], time: rfc3339}
          currency: {const: CNY}
          freight: {paths: ["/shipping/*/cents"], sum: true, minor-units: 2, default: "0"}
          discount: {path: /discount, money: true, abs: true}
          note: {paths: ["/a~1b", /missing], default: none}
          consignee.address: {paths: [/addr/street, /addr/city, /addr/zip], join: ", "}
          consignee.country: {path: /addr/country, country: name}
          payment.transactionId: "@extra/txn"
        items:
          path: "/lines/*"
          skip-when: [{exists: [/parent]}, {equals: {/kind: virtual}}]
          aggregate-by: sku
          fields:
            sku: /sku
            unitPrice: {path: /price, money: true}
            currency: ^/cur
        """

    @Test func pathsWildcardsConversionsAndSources() throws {
        let reg = try registry(yaml: Self.yaml)
        let document = try json("""
            {"order": {"no": "#A-1", "placed": "2026-11-11T00:00:05+08:00", "cur": "USD",
              "shipping": [{"cents": 1999}, {"cents": "1"}], "discount": -2.50, "a/b": "slash key",
              "addr": {"street": "1 Road", "city": " ", "zip": "200120", "country": "China"},
              "lines": [{"sku": "X", "price": 19.99}, {"sku": "X", "price": "19.99"}, {"sku": "Y", "price": "5", "parent": 1},
                        {"sku": "Z", "price": "1", "kind": "virtual"}, {"sku": "W", "price": "2"}]}}
            """)
        #expect(reg.detect(document) == "demo")
        let orders = try reg.extract([document])
        try #require(orders.count == 1)
        let fields = orders[0].fields
        #expect(fields["orderNo"] == SourcedValue(text: "A-1", source: "demo:/order/no"))
        #expect(fields["orderTime"]?.text == "2026-11-11T00:00:05+08:00")
        #expect(fields["currency"] == SourcedValue(text: "CNY", source: "test.yaml fields.currency const"))
        #expect(fields["freight"] == SourcedValue(text: "20", source: "sum of demo:/order/shipping/0/cents + /order/shipping/1/cents"))
        #expect(fields["discount"]?.text == "2.50")
        #expect(fields["note"] == SourcedValue(text: "slash key", source: "demo:/order/a~1b"))
        // Blank values are skipped by join and by "first non-empty wins".
        #expect(fields["consignee.address"] == SourcedValue(text: "1 Road, 200120", source: "demo:/order/addr/street + /order/addr/zip"))
        #expect(fields["consignee.country"]?.text == "CN")
        // Two rows of X become one line of qty 2; Y (a child) and Z (virtual) are skipped.
        let items = orders[0].items
        #expect(items.map { $0["sku"]?.text } == ["X", "W"])
        #expect(items[0]["qty"]?.text == "2")
        #expect(items[0]["unitPrice"]?.text == "19.99", "19.99 as a number and as a string are the same exact decimal")
        #expect(items[0]["totalPrice"]?.text == "39.98")
        #expect(items[1]["currency"] == SourcedValue(text: "USD", source: "demo:/order/cur"))
    }

    @Test(arguments: [
        ("\"Tue, 05 Mar 2019 21:40:11 +0000\"", "placed_2822", "2019-03-05T21:40:11Z"),
        ("1700000000", "placed_unix", "2023-11-14T22:13:20Z"),
        ("\"2017-08-21 22:22:19\"", "placed_naive", "2017-08-21T22:22:19Z"),
    ])
    func timeFormats(_ value: String, _ key: String, _ expected: String) throws {
        let yaml = Self.yaml
            .replacingOccurrences(of: "orderTime: {paths: [/placed_unix, /placed_2822, /placed_naive, /placed], time: rfc3339}",
                                  with: "orderTime: {path: /\(key), time: \(["placed_2822": "rfc2822", "placed_unix": "unix", "placed_naive": "utc-naive"][key] ?? "")}")
        let orders = try registry(yaml: yaml).extract([json("{\"order\": {\"no\": \"1\", \"\(key)\": \(value)}}")])
        #expect(orders.first?.fields["orderTime"]?.text == expected)
    }

    @Test func refusedValuesAreAllReportedWithTheirPaths() throws {
        let document = try json("""
            {"order": {"no": "1", "placed": "yesterday", "discount": 1e3, "addr": {"country": "Atlantis"}}}
            """)
        let failure = try #require(throws: ValidationFailure.self) { try registry(yaml: Self.yaml).extract([document]) }
        #expect(failure.issues.map(\.pointer) == ["demo:/order/placed", "demo:/order/discount", "demo:/order/addr/country"])
        #expect(failure.issues[1].rule.contains("no exponent"))
    }

    @Test func separateDocumentsAndRefusals() throws {
        let reg = try registry(yaml: Self.yaml)
        let orders = try reg.extract([json(#"{"extra_of": 1, "txn": "T-9"}"#), json(#"{"orders": [{"no": "1"}, {"no": "2"}]}"#)])
        #expect(orders.map { $0.fields["orderNo"]?.text } == ["1", "2"])
        #expect(orders[0].fields["payment.transactionId"] == SourcedValue(text: "T-9", source: "demo[extra]:/txn"))

        let line = try #require(throws: YidanError.self) { try reg.extract([json(#"{"sku": "X"}"#)]) }
        #expect(line.message == "not an order: the payload is a demo line, not an order")
        let other = try #require(throws: YidanError.self) { try reg.extract([json(#"{"hello": 1}"#)]) }
        #expect(other.message.hasPrefix("not an order: the payload matches no order shape of demo"))
        let unknown = try #require(throws: YidanError.self) { try reg.extract([json("{}")], platform: "nope") }
        #expect(unknown.message.contains("unknown platform nope"))
    }

    @Test func mappingFileMistakesNameFileAndLine() throws {
        let typo = Self.yaml.replacingOccurrences(of: "  discount: {path: /discount, money: true, abs: true}", with: "  discount: {path: /discount, mony: true}")
        let error = try #require(throws: YidanError.self) { try registry(yaml: typo) }
        #expect(error.message.contains("test.yaml line 20") && error.message.contains("unknown key mony"), "\(error.message)")
        let badTime = Self.yaml.replacingOccurrences(of: "time: rfc3339", with: "time: iso")
        let timeError = try #require(throws: YidanError.self) { try registry(yaml: badTime) }
        #expect(timeError.message.contains("time must be one of"), "\(timeError.message)")
    }

    /// Every reference payload of the three platforms is recognised as its platform.
    @Test(arguments: [
        ("shopify", "shopify_python_api__order.json"), ("shopify", "shopify_python_api__orders.json"),
        ("woocommerce", "wp-api-v3__retrieve-order.response.json"), ("woocommerce", "legacy-wc-api-v3__view-order.response.json"),
        ("magento", "adobedocs__GET_V1_orders_3.response.json"),
    ])
    func referencePayloadsAreDetected(_ platform: String, _ name: String) throws {
        #expect(try Platforms.registry.get().detect(Platforms.document(platform, name)) == platform)
    }
}
