import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite struct InvalidOrderTests {
    static let allowedTopLevel = "orderNo, platform, orderTime, tradeMode, currency, goodsValue, freight, insurance, discount, "
        + "buyer, consignee, items, payment, logistics, enterprises, customs, note, export"

    @Test func manyErrorsFixtureReportsEveryProblemAtOnce() throws {
        let issues = OrderFixtures.issues(try OrderFixtures.data(OrderFixtures.invalid.appendingPathComponent("many-errors.json")))
        let expected = [
            FieldIssue(pointer: "/coupon", value: nil, rule: "is not a known field; allowed: " + Self.allowedTopLevel),
            FieldIssue(pointer: "/orderTime", value: "2026-11-29 10:00", rule: "must be RFC 3339 with a zone offset, e.g. 2026-11-29T10:15:00+08:00"),
            FieldIssue(pointer: "/currency", value: "cny", rule: "must be 3 upper-case letters (ISO 4217)"),
            FieldIssue(pointer: "/buyer/idNumber", value: "1101**********1235", rule: "must be an 18-character mainland ID number with a valid check digit"),
            FieldIssue(pointer: "/buyer/phone", value: "1******", rule: "must be 5-30 characters of digits, '+', '-' and spaces"),
            FieldIssue(pointer: "/consignee/district", value: "44010", rule: "must be 6 digits"),
            FieldIssue(pointer: "/items/0/gcode", value: "12345", rule: "must be 10 digits"),
            FieldIssue(pointer: "/items/0/totalPrice", value: "310.00", rule: "must equal qty × unitPrice (2 × 150.00 = 300.00)"),
            FieldIssue(pointer: "/payment/transactionId", value: nil, rule: "is required"),
            FieldIssue(pointer: "/logistics/packCount", value: "0", rule: "must be a whole number from 1 to 999999999"),
            FieldIssue(pointer: "/enterprises/ebpCode", value: "44019", rule: "must be 10 characters of [0-9A-Z] (customs registration code)"),
            FieldIssue(pointer: "/customs/emsNo", value: nil, rule: "is required for tradeMode 1210 (bonded import)"),
            FieldIssue(pointer: "/goodsValue", value: "300.00", rule: "must equal the sum of the items' totalPrice (310.00)"),
        ]
        #expect(issues == expected)
        #expect(issues[6].description == #"/items/0/gcode: "12345" must be 10 digits"#)
        #expect(issues[8].description == "/payment/transactionId: is required")
    }

    @Test func malformedFixtureReportsLineAndColumn() throws {
        let issues = OrderFixtures.issues(try OrderFixtures.data(OrderFixtures.invalid.appendingPathComponent("malformed.json")))
        #expect(issues == [FieldIssue(pointer: "", value: nil, rule: "is not valid JSON: line 41, column 3: expected a value, found ']'")])
    }

    @Test func overLimitFixtureDecodesButIsNotEligible() throws {
        // Valid JSON and valid fields: refusing it is the tax stage's job (test vector T5).
        let order = try NormalizedOrderJSON.decode(OrderFixtures.data(OrderFixtures.invalid.appendingPathComponent("over-limit-several-items.json")))
        do {
            _ = try CompositeTax.compute(order: order, rates: OrderFixtures.taxRates(), annualUsedBefore: 0)
            Issue.record("expected a refusal")
        } catch let error as YidanError {
            #expect(error.code == .notEligible)
            #expect(error.message.hasPrefix("dutiable value 6040.00 is over the 5000.00 per-order limit"))
        }
    }

    @Test func personalValuesAreMaskedInIssues() throws {
        var document = try OrderFixtures.milkPowder()
        document = document.setting(["buyer", "name"], to: .string(String(repeating: "张", count: 61)))
        document = document.setting(["buyer", "registrationNo"], to: .string("acct\u{01}secret"))
        document = document.setting(["consignee", "phone"], to: .string("1390000x5678"))
        document = document.setting(["consignee", "address"], to: .string("广东省广州市天河区" + String(repeating: "路", count: 200)))
        document = document.setting(["buyer", "idType"], to: .string("2"))
        document = document.setting(["buyer", "idNumber"], to: .string("G1234-5678"))
        let issues = OrderFixtures.issues(document.data)
        #expect(issues == [
            FieldIssue(pointer: "/buyer/name", value: "张" + String(repeating: "*", count: 60), rule: "must be at most 60 characters (found 61)"),
            FieldIssue(pointer: "/buyer/idNumber", value: "G123**5678", rule: "must be 1-60 characters of [0-9A-Za-z]"),
            FieldIssue(pointer: "/buyer/registrationNo", value: "ac*******et", rule: "must not contain control characters"),
            FieldIssue(pointer: "/consignee/phone", value: "139*****5678", rule: "must be 5-50 characters of digits, '+', '-' and spaces"),
            FieldIssue(pointer: "/consignee/address", value: "广东省广州市" + String(repeating: "*", count: 54) + "…", rule: "must be at most 200 characters (found 209)"),
        ])
        let text = ValidationFailure(issues: issues).description
        for secret in ["secret", "x5678", "天河区路", "张张"] { #expect(!text.contains(secret)) }
    }

    @Test func wrongTypesMissingAndUnknownMembers() throws {
        var document = try OrderFixtures.milkPowder()
        document = document.setting(["orderNo"], to: .number("12345"))
        document = document.setting(["buyer"], to: .array([]))
        document = document.setting(["items", "0", "colour"], to: .string("red"))
        document = document.setting(["items", "0", "qty"], to: .bool(true))
        document = document.setting(["customs", "portCode"], to: .null)
        document = document.setting(["logistics"], to: nil)
        let issues = OrderFixtures.issues(document.data)
        #expect(issues.map(\.description) == [
            "/orderNo: must be a string, found number",
            "/buyer: must be an object, found array",
            "/items/0/colour: is not a known field; allowed: sku, name, model, description, gcode, barcode, originCountry, unit, qty, qty1, unit1, qty2, unit2, unitPrice, totalPrice",
            "/items/0/qty: must be a number or a decimal string, found boolean",
            "/logistics: is required",
            "/customs/portCode: is required",
        ])
    }

    @Test func duplicateKeysAndPointerEscaping() {
        let issues = OrderFixtures.issues(#"{"orderNo": "A", "orderNo": "B", "a/b~c": 1}"#)
        #expect(issues.contains(FieldIssue(pointer: "/orderNo", value: nil, rule: "is given more than once")))
        #expect(issues.contains { $0.pointer == "/a~1b~0c" && $0.rule.hasPrefix("is not a known field") })
        #expect(OrderFixtures.issues("[]") == [FieldIssue(pointer: "", value: nil, rule: "must be a JSON object, found array")])
    }

    @Test(arguments: [
        ("1e2", "must be a plain decimal like 12.50 (no exponent, no grouping)"),
        ("1,000.00", "must be a plain decimal like 12.50 (no exponent, no grouping)"),
        ("007", "must be a plain decimal like 12.50 (no exponent, no grouping)"),
        (".5", "must be a plain decimal like 12.50 (no exponent, no grouping)"),
        ("-1.00", "must not be negative"),
        ("20.001", "must have at most 2 decimals"),
        ("12345678901234567890.12", "must have at most 19 digits"),
    ])
    func moneyRules(literal: String, rule: String) throws {
        let document = try OrderFixtures.milkPowder().setting(["freight"], to: .string(literal))
        #expect(OrderFixtures.issues(document.data) == [FieldIssue(pointer: "/freight", value: literal, rule: rule)])
    }

    @Test func moneyAsJSONNumberWithExponentIsRefused() throws {
        let document = try OrderFixtures.milkPowder().setting(["freight"], to: .number("2E1"))
        #expect(OrderFixtures.issues(document.data) == [
            FieldIssue(pointer: "/freight", value: "2E1", rule: "must be a plain decimal like 12.50 (no exponent, no grouping)"),
        ])
    }

    @Test func itemRules() throws {
        var document = try OrderFixtures.milkPowder()
        guard case let .array(items)? = document["items"] else { Issue.record("no items"); return }
        let second = items[0].setting(["qty2"], to: .string("1")).setting(["qty"], to: .string("0"))
        document = document.setting(["items"], to: .array([items[0], second]))
        let issues = OrderFixtures.issues(document.data)
        #expect(issues == [
            FieldIssue(pointer: "/items/1/qty", value: "0", rule: "must be greater than 0"),
            FieldIssue(pointer: "/items/1/unit2", value: nil, rule: "is required when qty2 is given"),
            FieldIssue(pointer: "/items/1/sku", value: "AU-A2-900G-S3", rule: "repeats the sku of /items/0"),
            FieldIssue(pointer: "/goodsValue", value: "300.00", rule: "must equal the sum of the items' totalPrice (600.00)"),
        ])
        let empty = try OrderFixtures.milkPowder().setting(["items"], to: .array([]))
        #expect(OrderFixtures.issues(empty.data) == [FieldIssue(pointer: "/items", value: nil, rule: "must hold at least one item")])
    }

    @Test func crossFieldRules() throws {
        var document = try OrderFixtures.milkPowder()
        document = document.setting(["discount"], to: .string("320.01"))
        document = document.setting(["logistics", "netWeight"], to: .string("2.5"))
        document = document.setting(["consignee", "country"], to: .string("HK"))
        document = document.setting(["tradeMode"], to: .string("9710"))
        document = document.setting(["orderNo"], to: .string("YD 2026/11"))
        #expect(OrderFixtures.issues(document.data) == [
            FieldIssue(pointer: "/orderNo", value: "YD 2026/11", rule: "must be 1-60 characters of [A-Za-z0-9_-]"),
            // 9710 exists, but only for exports (an order with /export).
            FieldIssue(pointer: "/tradeMode", value: "9710", rule: "is an export trade mode (9710 B2B, 9810 overseas warehouse): the order needs /export"),
            FieldIssue(pointer: "/consignee/country", value: "HK", rule: "must be CN or CHN: an import is delivered in mainland China"),
            FieldIssue(pointer: "/logistics/netWeight", value: "2.5", rule: "must not exceed grossWeight (2.2)"),
            FieldIssue(pointer: "/discount", value: "320.01", rule: "must not exceed goodsValue + freight (320.00)"),
        ])
    }

    @Test func mainlandIDCheckDigit() {
        #expect(MainlandIDNumber.isValid("11010519491231002X"))
        #expect(MainlandIDNumber.isValid("110105199003071239"))
        #expect(!MainlandIDNumber.isValid("110105199003071235"))
        #expect(!MainlandIDNumber.isValid("11010519491231002x"))
        #expect(!MainlandIDNumber.isValid("1101051949123100"))
        #expect(MainlandIDNumber.checkCharacter(forFirst17: "44010619881215456") == "9")
    }
}
