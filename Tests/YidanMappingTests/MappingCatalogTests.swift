import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanXML

private let ceb = ["ceb": "http://www.chinaport.gov.cn/ceb"]

private func texts(_ document: XMLDocument, _ xpath: String) throws -> [String] {
    try document.select(xpath, namespaces: ceb).map(\.text)
}

private func build(_ kind: MessageKind, _ order: NormalizedOrder, _ tax: OrderTax) throws -> XMLDocument {
    try Shared.catalog.get().makeFiling(kind, order: order, tax: tax, guid: Shared.guid(kind), now: Shared.now)
}

/// The issues a mapping error carries, as `pointer: "value" rule` lines.
private func mappingIssues(_ body: () throws -> Void) -> [String] {
    do {
        try body()
        Issue.record("expected a mapping error")
        return []
    } catch let error as YidanError {
        #expect(error.code == .mapping)
        guard let failure = error.cause as? ValidationFailure else {
            Issue.record("mapping error without ValidationFailure cause: \(error)")
            return []
        }
        return failure.issues.map(\.description)
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}

@Suite("MappingCatalog builds the four import filings")
struct MappingCatalogTests {
    @Test func directPurchaseOrderFillsTheHeadsAndLists() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        let order311 = try build(.ceb311, order, tax)
        let head = "/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:"
        #expect(try texts(order311, "/ceb:CEB311Message/@guid") == [Shared.guid(.ceb311)])
        #expect(try texts(order311, head + "appType") == ["1"])
        #expect(try texts(order311, head + "appStatus") == ["2"])
        #expect(try texts(order311, head + "orderType") == ["I"])
        #expect(try texts(order311, head + "appTime") == ["20261205120000"]) // 04:00Z is 12:00 in Beijing
        #expect(try texts(order311, head + "currency") == ["142"])
        #expect(try texts(order311, head + "goodsValue") == ["1019.70"])
        #expect(try texts(order311, head + "discount") == ["20.00"])
        #expect(try texts(order311, head + "taxTotal") == [Money.format(Money.round(tax.total), minScale: 2)])
        let list = "/ceb:CEB311Message/ceb:Order/ceb:OrderList/ceb:"
        #expect(try texts(order311, list + "gnum") == ["1", "2"])
        #expect(try texts(order311, list + "unit") == ["007", "122"])
        #expect(try texts(order311, list + "country") == ["116", "609"])
        #expect(try texts(order311, list + "price") == ["180", "219.9"])
        #expect(try texts(order311, list + "barCode") == ["4901234567894"], "no barCode element without a barcode")

        let inventory = try build(.ceb621, order, tax)
        let invHead = "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryHead/ceb:"
        #expect(try texts(inventory, invHead + "declTime") == ["20261205"])
        #expect(try texts(inventory, invHead + "tradeMode") == ["9610"])
        #expect(try texts(inventory, invHead + "trafMode") == ["5"])
        #expect(try texts(inventory, invHead + "trafNo") == ["MU5001"])
        #expect(try texts(inventory, invHead + "copNo") == ["YD20261129000001"])
        #expect(try texts(inventory, invHead + "country") == ["116"], "9610: first item's origin")
        #expect(try texts(inventory, invHead + "insuredFee") == ["1.50"])
        #expect(try texts(inventory, invHead + "emsNo").isEmpty)
        #expect(try texts(inventory, invHead + "preNo").isEmpty)
        let invList = "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList/ceb:"
        #expect(try texts(inventory, invList + "gnum") == ["1", "2"])
        #expect(try texts(inventory, invList + "unit1") == ["035", "035"])
        #expect(try texts(inventory, invList + "barCode") == ["4901234567894", "无"])
        #expect(try texts(inventory, invList + "itemRecordNo").isEmpty)

        let waybill = try build(.ceb511, order, tax)
        #expect(try texts(waybill, "//ceb:LogisticsHead/ceb:goodsInfo") == ["保湿面霜*2;婴儿配方奶粉*3"])
        #expect(try texts(waybill, "//ceb:LogisticsHead/ceb:weight") == ["3.4"])
        #expect(try texts(waybill, "/ceb:CEB511Message/ceb:BaseTransfer/ceb:dxpMode") == ["DXP"])
    }

    @Test func acturalPaidEqualsAmountPaid() throws {
        for base in [SampleOrders.directPurchase(), SampleOrders.bonded()] {
            let (order, tax) = try SampleOrders.paid(base)
            let paid = try texts(build(.ceb311, order, tax), "//ceb:OrderHead/ceb:acturalPaid")
            let amount = try texts(build(.ceb411, order, tax), "//ceb:PaymentHead/ceb:amountPaid")
            #expect(paid.count == 1)
            #expect(paid == amount)
            let expected = order.goodsValue + order.freight + Money.round(tax.total) - order.discount
            #expect(paid == [Money.format(expected, minScale: 2, maxScale: 2)])
        }
    }

    @Test func bondedOrderNamesItsAccountBookAndArea() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.bonded())
        let inventory = try build(.ceb621, order, tax)
        let head = "//ceb:InventoryHead/ceb:"
        #expect(try texts(inventory, head + "tradeMode") == ["1210"])
        #expect(try texts(inventory, head + "emsNo") == ["T2218W000123"])
        #expect(try texts(inventory, head + "areaCode") == ["3122480001"])
        #expect(try texts(inventory, head + "areaName").count == 1)
        #expect(try texts(inventory, head + "country") == ["142"], "1210: China")
        #expect(try texts(inventory, head + "trafNo").isEmpty)
        #expect(try texts(inventory, head + "billNo").isEmpty)
        #expect(try texts(inventory, "//ceb:InventoryList/ceb:itemRecordNo") == ["FC-50ML"])
    }

    @Test func lookupMissesNameTheOrderFieldByJSONPointer() throws {
        var items = [SampleOrders.faceCream, SampleOrders.milkPowder]
        items[1].unit = "thing"
        items[1].originCountry = "Atlantis"
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase(items: items))
        let issues = mappingIssues { _ = try build(.ceb311, order, tax) }
        #expect(issues == [
            #"/items/1/unit: "thing" has no customs unit code in Mappings/tables/unit.csv"#,
            #"/items/1/originCountry: "Atlantis" has no customs country code in Mappings/tables/country.csv"#,
        ])
        var inventoryItems = items
        inventoryItems[1].originCountry = "NZ"
        inventoryItems[0].unit1 = "furlong"
        let (order621, tax621) = try SampleOrders.paid(SampleOrders.directPurchase(items: inventoryItems))
        #expect(mappingIssues { _ = try build(.ceb621, order621, tax621) } == [
            #"/items/0/unit1: "furlong" has no customs unit code in Mappings/tables/unit.csv"#,
            #"/items/1/unit: "thing" has no customs unit code in Mappings/tables/unit.csv"#,
        ])
    }

    @Test func foreignCurrencyIsRefusedBecauseCustomsTakesRMBOnly() throws {
        var (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        order.currency = "USD"
        let issues = mappingIssues { _ = try build(.ceb411, order, tax) }
        #expect(issues == [#"/currency: "USD" must give 142 for CEB411 Payment/PaymentHead/currency (found 502)"#])
    }

    @Test func paymentThatDisagreesWithTheTaxIsRefused() throws {
        var (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        order.payment.amount += Decimal(string: "0.01") ?? 0
        let issues = mappingIssues { _ = try build(.ceb311, order, tax) }
        #expect(issues.count == 1)
        #expect(issues.first?.hasPrefix("/payment/amount: ") == true)
    }

    @Test func bondedOrderWithoutAccountBookIsReported() throws {
        var base = SampleOrders.bonded()
        base.customs.emsNo = nil
        let (order, tax) = try SampleOrders.paid(base)
        #expect(mappingIssues { _ = try build(.ceb621, order, tax) } == [
            "/customs/emsNo: is required for CEB621 Inventory/InventoryHead/emsNo",
        ])
        // The other filings do not carry emsNo and still build.
        _ = try build(.ceb311, order, tax)
    }

    @Test func schemaErrorsListXPathsWithoutPersonalData() throws {
        var (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        order.buyer.phone = "1381234567813812345678138123456781"
        do {
            _ = try build(.ceb311, order, tax)
            Issue.record("expected a schema error")
        } catch let error as YidanError {
            #expect(error.code == .schema)
            #expect(error.message.contains("/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:buyerTelephone"))
            #expect(!error.message.contains("13812345678"))
        }
    }

    @Test func unsignedInventoryIsOnlyMissingItsSignature() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        let catalog = try Shared.catalog.get()
        let inventory = try build(.ceb621, order, tax)
        let issues = catalog.validate(inventory, kind: .ceb621)
        #expect(issues.count == 1)
        #expect(issues.first?.message.contains("Signature") == true)
        #expect(catalog.validate(try build(.ceb311, order, tax), kind: .ceb311).isEmpty)
        #expect(catalog.validate(try build(.ceb311, order, tax), kind: .ceb411).count == 1, "wrong kind is reported")
    }

    @Test func guidMustBeThirtySixUpperCaseCharacters() throws {
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        let catalog = try Shared.catalog.get()
        #expect(throws: YidanError.self) {
            _ = try catalog.makeFiling(.ceb311, order: order, tax: tax, guid: Shared.guid(.ceb311).lowercased(), now: Shared.now)
        }
    }

    @Test func codeLookupIsAvailableToOtherStages() throws {
        let catalog = try Shared.catalog.get()
        #expect(try catalog.code(in: "unit", from: ["customs", "zh", "en", "aliases"], to: "customs", key: " PCS ") == "007")
        #expect(try catalog.code(in: "country", from: ["iso2", "iso3"], to: "customs", key: "nzl") == "609")
        #expect(try catalog.code(in: "currency", from: ["iso"], to: "customs", key: "XXX") == nil)
    }

    @Test func profileIsRead() throws {
        let profile = try Shared.catalog.get().profile
        #expect(profile.dxpMode == "DXP")
        #expect(profile.copCode.count == 10)
        #expect(!profile.dxpReceiverId.isEmpty)
    }
}
