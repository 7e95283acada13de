import Foundation
import Testing
import YidanCore
import YidanXML
@testable import YidanSimulator

/// The business rules as pure values: no server, no clock.
@Suite struct CustomsRulesTests {
    func declared(_ document: XMLDocument) throws -> DeclaredMessage {
        try DeclaredMessage(document: XMLDocument.parse(document.serialized()))
    }

    @Test func readsTheFactsOfEachKind() throws {
        let o = SampleOrder()
        let orderGuid = SampleOrder.guid()
        let order = try declared(CEBSamples.order(o, guid: orderGuid))
        #expect(order.kind == .ceb311)
        #expect(order.guid == orderGuid)
        #expect(order["orderNo"] == o.orderNo)
        #expect(order.amount("goodsValue") == Decimal(string: "100.00"))
        #expect(order.linesTotal == Decimal(100))

        let inventory = try declared(CEBSamples.inventory(o, guid: SampleOrder.guid()))
        #expect(inventory.kind == .ceb621)
        #expect(inventory["logisticsNo"] == o.logisticsNo)
        #expect(inventory.linesTotal == Decimal(100))

        let payment = try declared(CEBSamples.payment(o, guid: SampleOrder.guid()))
        #expect(payment.amount("amountPaid") == Decimal(110))
        #expect(payment.linesTotal == nil)
    }

    @Test func refusesAnotherMessageForADeclaredOrderNumber() throws {
        var ledger = CustomsLedger()
        let o = SampleOrder()
        let first = try declared(CEBSamples.order(o, guid: SampleOrder.guid()))
        let second = try declared(CEBSamples.order(o, guid: SampleOrder.guid()))
        #expect(ledger.admit(first) == .accepted)
        // The same message again is not a second declaration.
        #expect(ledger.admit(first) == .accepted)
        guard case .refused(let status, let info) = ledger.admit(second) else {
            Issue.record("a second guid for the same order number must be refused")
            return
        }
        #expect(status == "-301010")
        #expect(info.contains(first.guid))
        #expect(info.contains(o.orderNo))
        #expect(ledger.declaration(guid: second.guid) == nil)
    }

    @Test func aChangeDeclarationReplacesTheEarlierOne() throws {
        var ledger = CustomsLedger()
        let o = SampleOrder()
        let first = try declared(CEBSamples.order(o, guid: SampleOrder.guid()))
        let change = try declared(CEBSamples.order(o, guid: SampleOrder.guid(), appType: "2"))
        #expect(ledger.admit(first) == .accepted)
        #expect(ledger.admit(change) == .accepted)
        #expect(ledger.declaration(guid: first.guid) == nil)
        #expect(ledger.declaration(guid: change.guid) != nil)
    }

    @Test func theSameOrderNumberOnAnotherPlatformIsAnotherOrder() throws {
        var ledger = CustomsLedger()
        var other = SampleOrder()
        other.ebpCode = "3301960000"
        #expect(ledger.admit(try declared(CEBSamples.order(SampleOrder(), guid: SampleOrder.guid()))) == .accepted)
        #expect(ledger.admit(try declared(CEBSamples.order(other, guid: SampleOrder.guid()))) == .accepted)
    }

    @Test func inventoryWithoutTheOtherThreeDoesNotMatch() throws {
        let ledger = CustomsLedger()
        let inventory = try declared(CEBSamples.inventory(SampleOrder(), guid: SampleOrder.guid()))
        guard case .unmatched(let problems) = ledger.matchInventory(inventory) else {
            Issue.record("expected no match")
            return
        }
        #expect(problems.count == 3)
        #expect(problems.contains { $0.contains("CEB311") })
        #expect(problems.contains { $0.contains("CEB411") })
        #expect(problems.contains { $0.contains("CEB511") })
    }

    @Test func inventoryMatchesWhenAllThreeAgree() throws {
        var ledger = CustomsLedger()
        let o = SampleOrder()
        for document in [CEBSamples.order(o, guid: SampleOrder.guid()), CEBSamples.payment(o, guid: SampleOrder.guid()),
                         CEBSamples.waybill(o, guid: SampleOrder.guid())] {
            #expect(ledger.admit(try declared(document)) == .accepted)
        }
        let inventory = try declared(CEBSamples.inventory(o, guid: SampleOrder.guid()))
        #expect(ledger.matchInventory(inventory) == .matched)
    }

    @Test func amountsThatDisagreeAreNamed() throws {
        var ledger = CustomsLedger()
        let o = SampleOrder()
        var paidLess = o
        paidLess.amountPaid = "109.99"
        var cheaperGoods = o
        cheaperGoods.lines = [("1", "90.00", "90.00")]
        cheaperGoods.freight = "12.00"
        _ = ledger.admit(try declared(CEBSamples.order(o, guid: SampleOrder.guid())))
        _ = ledger.admit(try declared(CEBSamples.payment(paidLess, guid: SampleOrder.guid())))
        _ = ledger.admit(try declared(CEBSamples.waybill(o, guid: SampleOrder.guid())))
        let inventory = try declared(CEBSamples.inventory(cheaperGoods, guid: SampleOrder.guid()))
        guard case .unmatched(let problems) = ledger.matchInventory(inventory) else {
            Issue.record("expected amount mismatches")
            return
        }
        #expect(problems.contains { $0.contains("amountPaid 109.99") && $0.contains("acturalPaid 110") })
        #expect(problems.contains { $0.contains("goods total") && $0.contains("90") })
        #expect(problems.contains { $0.contains("inventory freight 12") })
        #expect(problems.count == 3)
    }

    @Test func personalDataNeverAppearsInAMismatch() throws {
        var ledger = CustomsLedger()
        let o = SampleOrder()
        var otherBuyer = o
        otherBuyer.buyerIdNumber = "110101198001010000"
        _ = ledger.admit(try declared(CEBSamples.order(o, guid: SampleOrder.guid())))
        _ = ledger.admit(try declared(CEBSamples.payment(o, guid: SampleOrder.guid())))
        _ = ledger.admit(try declared(CEBSamples.waybill(o, guid: SampleOrder.guid())))
        let match = ledger.matchInventory(try declared(CEBSamples.inventory(otherBuyer, guid: SampleOrder.guid())))
        #expect(match == .unmatched(["inventory buyerIdNumber differs from the order's"]))
    }

    @Test func outOfOrderSwapsTheLastTwoReceipts() {
        let steps = ReceiptScript.afterAcceptance(of: .ceb311, guid: "G")
        #expect(steps.map(\.returnStatus) == ["2", "3", "120"])
        #expect(ReceiptScript.deliveryOrder(steps, outOfOrder: true).map(\.returnStatus) == ["2", "120", "3"])
        #expect(ReceiptScript.deliveryOrder(steps, outOfOrder: false).map(\.returnStatus) == ["2", "3", "120"])
        let inventory = ReceiptScript.afterAcceptance(of: .ceb621, guid: "G")
        #expect(ReceiptScript.deliveryOrder(inventory, outOfOrder: true).map(\.returnStatus) == ["120", "800", "399"])
        #expect(ReceiptScript.schemaInvalid([String(repeating: "x", count: 2000)]).returnInfo.count == 1000)
    }

    @Test func schemaMessagesLoseTheirValues() {
        let message = "Element '{http://www.chinaport.gov.cn/ceb}buyerIdNumber': [facet 'maxLength'] The value '110101199003071234' has a length of '18'."
        #expect(ReceiptScript.redactingValues(message)
            == "Element '{http://www.chinaport.gov.cn/ceb}buyerIdNumber': [facet 'maxLength'] The value '***' has a length of '18'.")
        #expect(ReceiptScript.redactingValues("Element '{ns}goodsValue': 'a lot' is not a valid value of the atomic type '{ns}Amount19_5'.")
            == "Element '{ns}goodsValue': '***' is not a valid value of the atomic type '{ns}Amount19_5'.")
        #expect(ReceiptScript.redactingValues("Element '{ns}x': This element is not expected.") == "Element '{ns}x': This element is not expected.")
    }

    @Test func faultPlanJSONTakesDefaultsForMissingFields() throws {
        let plan = try JSONDecoder().decode(FaultPlan.self, from: Data(#"{"failNext":2,"retryAfterSeconds":1}"#.utf8))
        #expect(plan == FaultPlan(failNext: 2, failStatus: 503, retryAfterSeconds: 1))
    }
}
