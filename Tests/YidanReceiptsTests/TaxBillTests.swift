import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanReceipts
import YidanXML

/// The official import samples hold no CEB816, so the tests build one from a
/// fixture order's computed tax, the way customs would bill it.
@Suite struct TaxBillTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    static let invtNo = "514220261000012345"

    static func fixtureTax() throws -> (order: NormalizedOrder, tax: OrderTax) {
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: root.appendingPathComponent("Fixtures/orders/skincare-9610.json")))
        let csv = try String(contentsOf: root.appendingPathComponent("Mappings/tables/tax-rates.csv"), encoding: .utf8)
        let tax = try CompositeTax.compute(order: order, rates: TaxRateTable(csv: csv), annualUsedBefore: 0)
        return (order, tax)
    }

    struct Amounts {
        var customsTax: Decimal
        var valueAddedTax: Decimal
        var consumptionTax: Decimal
    }

    /// A CEB816 document billing `tax`, optionally with other head or item amounts.
    static func ceb816(
        _ tax: OrderTax, status: String = "1", prefix: String? = nil,
        head: Amounts? = nil, itemVAT: [Int: Decimal] = [:]
    ) -> XMLDocument {
        let document = XMLDocument(rootName: "CEB816Message", namespaceURI: cebNamespace, prefix: prefix)
        guard let message = document.root else { return document }
        message.setAttribute("guid", "6C1E3B0A-6F0B-4D36-9E7F-2A1C0D5B8E41")
        message.setAttribute("version", "1.0")
        let bill = message.addChild("Tax")
        let headRd = bill.addChild("TaxHeadRd")
        let amounts = head ?? Amounts(customsTax: tax.duty, valueAddedTax: tax.vat, consumptionTax: tax.consumptionTax)
        headRd.addChild("guid", text: "0F8E2D4C-3B1A-4E59-8C7D-6A5B4C3D2E1F")
        headRd.addChild("returnTime", text: "20261130101500123")
        headRd.addChild("invtNo", text: invtNo)
        headRd.addChild("taxNo", text: "51422026I000012345_01")
        headRd.addChild("customsTax", text: Money.format(amounts.customsTax, minScale: 2))
        headRd.addChild("valueAddedTax", text: Money.format(amounts.valueAddedTax, minScale: 2))
        headRd.addChild("consumptionTax", text: Money.format(amounts.consumptionTax, minScale: 2))
        headRd.addChild("status", text: status)
        headRd.addChild("assureCode", text: "4401980L01")
        headRd.addChild("customsCode", text: "5142")
        for item in tax.items {
            let list = bill.addChild("TaxListRd")
            list.addChild("gnum", text: String(item.index + 1))
            list.addChild("gcode", text: item.gcode)
            list.addChild("taxPrice", text: Money.format(item.dutiable, minScale: 2))
            list.addChild("customsTax", text: Money.format(item.duty, minScale: 2))
            list.addChild("valueAddedTax", text: Money.format(itemVAT[item.index + 1] ?? item.vat, minScale: 2))
            list.addChild("consumptionTax", text: Money.format(item.consumptionTax, minScale: 2))
        }
        return document
    }

    @Test(arguments: [nil, "ceb"])
    func builtBillValidatesAgainstBothSchemas(prefix: String?) throws {
        let document = Self.ceb816(try Self.fixtureTax().tax, prefix: prefix)
        let own = try XMLSchema(contentsOf: Self.root.appendingPathComponent("Mappings/schemas/ceb-import.xsd"))
        let official = try XMLSchema(contentsOf: Self.root
            .appendingPathComponent("../shared/reference/ceb/202205/xsd/海关跨境进口业务节点报文定义202205.xsd").standardizedFileURL)
        #expect(own.validate(document).isEmpty, "\(own.validate(document))")
        #expect(official.validate(document).isEmpty, "\(official.validate(document))")
    }

    @Test func ownSchemaRefusesABillWithoutItems() throws {
        let document = Self.ceb816(try Self.fixtureTax().tax)
        for list in try document.select("//ceb:TaxListRd", namespaces: ["ceb": Self.cebNamespace]) { list.remove() }
        let own = try XMLSchema(contentsOf: Self.root.appendingPathComponent("Mappings/schemas/ceb-import.xsd"))
        #expect(!own.validate(document).isEmpty)
    }

    @Test(arguments: [nil, "ceb"])
    func parsedBillMatchesTheComputedTax(prefix: String?) throws {
        let (order, tax) = try Self.fixtureTax()
        let bills = try TaxBillParser.parse(Self.ceb816(tax, prefix: prefix).serialized())
        #expect(bills.count == 1)
        let bill = try #require(bills.first)
        #expect(bill.invtNo == Self.invtNo)
        #expect(bill.taxNo == "51422026I000012345_01")
        #expect(bill.status == .issued)
        #expect(bill.orderNo == nil)
        #expect(bill.valueAddedTax == tax.vat)
        #expect(bill.consumptionTax == tax.consumptionTax)
        #expect(bill.items.map(\.gnum) == tax.items.map { $0.index + 1 })
        #expect(bill.items.first?.taxPrice == order.items.first.map { $0.totalPrice + order.freight + order.insurance })

        var identified = bill
        identified.orderNo = order.orderNo
        let differences = TaxReconciliation.compare(
            bill: identified, expected: tax, gcodes: order.items.map(\.gcode), invtNo: Self.invtNo, orderNo: order.orderNo
        )
        #expect(differences.isEmpty, "\(differences)")
    }

    @Test func deliberateDifferencesAreFlaggedFieldByField() throws {
        let (order, tax) = try Self.fixtureTax()
        let item = try #require(tax.items.first)
        let offVAT = item.vat + (try #require(Money.parse("0.01")))
        let head = Amounts(customsTax: tax.duty, valueAddedTax: tax.vat, consumptionTax: tax.consumptionTax + 5)
        let document = Self.ceb816(tax, head: head, itemVAT: [1: offVAT])
        let bill = try #require(try TaxBillParser.parse(document.serialized()).first)
        let differences = TaxReconciliation.compare(bill: bill, expected: tax, gcodes: order.items.map(\.gcode), invtNo: Self.invtNo)

        // Item 1 VAT: ours vs the bill's, both amounts.
        let itemVAT = differences.filter { $0.kind == .itemValue }
        #expect(itemVAT == [TaxDifference(
            kind: .itemValue, field: .valueAddedTax, gnum: 1,
            expected: Money.format(item.vat, minScale: 2), billed: Money.format(offVAT, minScale: 2),
            expectedAmount: item.vat, billedAmount: offVAT
        )])
        // Head consumption tax against our order total.
        let headAmounts = differences.filter { $0.kind == .headAmount }
        #expect(headAmounts.map(\.field) == [.consumptionTax])
        #expect(headAmounts.first?.expectedAmount == tax.consumptionTax)
        #expect(headAmounts.first?.billedAmount == tax.consumptionTax + 5)
        // The bill against itself: its head no longer adds up from its items, for VAT and consumption tax.
        let selfInconsistent = differences.filter { $0.kind == .headVersusItems }
        #expect(selfInconsistent.map(\.field) == [.valueAddedTax, .consumptionTax])
        #expect(selfInconsistent.first?.expectedAmount == offVAT)
        #expect(selfInconsistent.first?.billedAmount == tax.vat)
        #expect(differences.count == 4, "\(differences)")
        #expect(differences.allSatisfy { $0.gnum == nil || $0.gnum == 1 })
    }

    @Test func aBillForAnotherInventoryOrWithAMissingItemIsFlagged() throws {
        let (order, tax) = try Self.fixtureTax()
        var bill = try #require(try TaxBillParser.parse(Self.ceb816(tax).serialized()).first)
        bill.items = []
        bill.orderNo = "SOMEONE-ELSE"
        let differences = TaxReconciliation.compare(
            bill: bill, expected: tax, gcodes: ["0000000000"], invtNo: "514220261000099999", orderNo: order.orderNo
        )
        #expect(differences.contains(TaxDifference(kind: .identity, field: .invtNo, expected: "514220261000099999", billed: Self.invtNo)))
        #expect(differences.contains(TaxDifference(kind: .identity, field: .orderNo, expected: order.orderNo, billed: "SOMEONE-ELSE")))
        #expect(differences.contains(TaxDifference(kind: .missingItem, field: .item, gnum: 1, expected: "present", billed: "absent")))
    }

    @Test func voidBillIsReportedAsSuch() throws {
        let (order, tax) = try Self.fixtureTax()
        let bill = try #require(try TaxBillParser.parse(Self.ceb816(tax, status: "3").serialized()).first)
        #expect(bill.status == .void)
        let differences = TaxReconciliation.compare(bill: bill, expected: tax, gcodes: order.items.map(\.gcode))
        #expect(differences == [TaxDifference(kind: .voidBill, field: .status, expected: "issued or summarised", billed: "void")])
    }

    @Test func hostileOrMalformedBillsAreRefused() throws {
        let entity = """
        <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <CEB816Message xmlns="http://www.chinaport.gov.cn/ceb" guid="x" version="1.0"><Tax><TaxHeadRd><note>&x;</note></TaxHeadRd></Tax></CEB816Message>
        """
        #expect(throws: YidanError.self) { try TaxBillParser.parse(Data(entity.utf8)) }
        let bomb = """
        <?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>
        """
        #expect(throws: YidanError.self) { try TaxBillParser.parse(Data(bomb.utf8)) }
        // Right shape, wrong namespace: matched by URI, not by name alone.
        let foreign = String(decoding: Self.ceb816(try Self.fixtureTax().tax).serialized(), as: UTF8.self)
            .replacingOccurrences(of: Self.cebNamespace, with: "urn:not-customs")
        #expect(throws: YidanError.self) { try TaxBillParser.parse(Data(foreign.utf8)) }
        // An amount that is not a plain decimal is refused, not guessed.
        let exponent = String(decoding: Self.ceb816(try Self.fixtureTax().tax).serialized(), as: UTF8.self)
            .replacingOccurrences(of: "<customsTax>0.00</customsTax>", with: "<customsTax>1e2</customsTax>")
        #expect(throws: YidanError.self) { try TaxBillParser.parse(Data(exponent.utf8)) }
        let badStatus = Self.ceb816(try Self.fixtureTax().tax, status: "9").serialized()
        #expect(throws: YidanError.self) { try TaxBillParser.parse(badStatus) }
    }
}
