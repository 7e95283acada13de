import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping
@testable import YidanRouter
import YidanSigning
import YidanStore
import YidanXML

/// Amendments on a real SQLite store (nothing dispatched): which filings an
/// amended order re-files, with which identities, versions and allowance.
@Suite("An amendment re-files exactly the filings whose content changed")
struct OrderAmendmentTests {
    struct Accepted {
        let environment: YidanEnvironment
        let folder: URL
        let order: NormalizedOrder
        let declared: [MessageKind: String]
    }

    /// The bonded wine fixture (one item, 2 × 268.00, freight 10.00), accepted.
    static func accepted(_ name: String) async throws -> Accepted {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("amend-\(name)")
        let json = try Data(contentsOf: RouterHarness.orders.appendingPathComponent("bonded-wine-1210.json"))
        let receipt = try await environment.intake.submit(json: json)
        return Accepted(
            environment: environment, folder: folder, order: try NormalizedOrderJSON.decode(json),
            declared: Dictionary(uniqueKeysWithValues: receipt.filings.map { ($0.kind, $0.id) })
        )
    }

    /// The order changed by `edit`, with goods value and payment made to add up again.
    static func amended(_ order: NormalizedOrder, intake: OrderIntake, _ edit: (inout NormalizedOrder) -> Void) throws -> NormalizedOrder {
        var order = order
        edit(&order)
        order.goodsValue = order.items.reduce(Decimal(0)) { $0 + $1.totalPrice }
        let tax = try CompositeTax.compute(order: order, rates: intake.taxRates, annualUsedBefore: 0)
        order.payment.amount = order.goodsValue + order.freight + tax.total - order.discount
        return order
    }

    static func priceCorrected(_ order: NormalizedOrder, intake: OrderIntake) throws -> NormalizedOrder {
        try amended(order, intake: intake) { order in
            order.items[0].unitPrice = Decimal(string: "250.00") ?? 0
            order.items[0].totalPrice = Decimal(string: "500.00") ?? 0
        }
    }

    @Test("a price correction re-files order, payment, inventory, tax and FX; the waybill stays")
    func priceCorrection() async throws {
        let accepted = try await Self.accepted("price")
        defer { try? FileManager.default.removeItem(at: accepted.folder) }
        let environment = accepted.environment
        let store = environment.store
        let buyerKey = OrderIntake.buyerKey(accepted.order.buyer)
        let usedBefore = try await store.allowanceUsed(buyerKey: buyerKey, year: 2026)
        #expect(usedBefore == Decimal(string: "546.00"))

        let order = try Self.priceCorrected(accepted.order, intake: environment.intake)
        let receipt = try await environment.changes.amend(order)
        #expect(receipt.filings.map(\.kind) == [.ceb311, .ceb411, .ceb621, .taxImport, .taxImport, .fxPayment, .fxPayment])
        #expect(receipt.filings.map(\.purpose) == [.amend, .amend, .amend, .reversal, .amend, .reversal, .amend])
        #expect(receipt.unchanged == [.ceb511])
        for filing in receipt.filings {
            #expect(filing.supersedes == accepted.declared[filing.kind], "\(filing.kind.rawValue) \(filing.purpose.rawValue)")
            #expect(filing.id != accepted.declared[filing.kind])
        }
        // The allowance moved by the change in dutiable value (546 → 510), atomically.
        #expect(receipt.allowanceChange == Decimal(string: "-36.00"))
        #expect(try await store.allowanceUsed(buyerKey: buyerKey, year: 2026) == Decimal(string: "510.00"))
        #expect(try await store.orderJSON(orderNo: order.orderNo).map(NormalizedOrderJSON.decode) == order)

        let filings = try await store.filings(orderNo: order.orderNo)
        #expect(filings.count == 13)
        for filing in filings.suffix(7) {
            #expect(filing.status == .queued)
            let document = try XMLDocument.parse(filing.payload)
            #expect(try XMLSignature.verify(document), "\(filing.kind.rawValue)")
            if filing.kind.authority == .customs {
                let appType = try document.select("//*[local-name()='appType']").first?.text
                #expect(appType == "2", "\(filing.kind.rawValue) appType")
                let guid = try document.select("//*[local-name()='guid']").first?.text
                #expect(guid == filing.id)
            }
        }
        // Latest versions: the six kinds once each, the waybill still the first one.
        let latest = FilingVersions.latest(filings)
        #expect(latest.count == 8)  // six versions + two reversals
        #expect(FilingVersions.latest(.ceb511, in: filings)?.id == accepted.declared[.ceb511])
        let newOrder = try #require(FilingVersions.latest(.ceb311, in: filings))
        #expect(newOrder.id == receipt.filings.first?.id)
        #expect(FilingVersions.version(of: newOrder, in: filings) == 2)
        #expect(FilingVersions.supersededIDs(filings) == Set([.ceb311, .ceb411, .ceb621, .taxImport, .fxPayment].compactMap { accepted.declared[$0] }))
        // The new tax filing states the new total and the buyer's annual total without this order's first use.
        let tax = try XMLDocument.parse(try #require(FilingVersions.latest(.taxImport, in: filings)).payload)
        let ns = ["t": "urn:yidan:filing:tax:v1"]
        #expect(try tax.select("/t:TaxImportFiling/t:Head/t:taxTotal", namespaces: ns).first?.text == Money.format(receipt.taxTotal, minScale: 2))
        #expect(try tax.select("/t:TaxImportFiling/t:Head/t:annualBefore", namespaces: ns).first.flatMap { Money.parse($0.text) } == 0)

        // The same amended order again: every filing equals its latest version, nothing filed.
        let again = try await environment.changes.amend(order)
        #expect(again.filings.isEmpty)
        #expect(again.unchanged == OrderIntake.importFilings)
        #expect(try await store.filings(orderNo: order.orderNo).count == 13)
    }

    @Test("a freight change re-files the waybill too, since CEB511 states the freight")
    func freightChange() async throws {
        let accepted = try await Self.accepted("freight")
        defer { try? FileManager.default.removeItem(at: accepted.folder) }
        let order = try Self.amended(accepted.order, intake: accepted.environment.intake) { $0.freight = Decimal(string: "15.00") ?? 0 }
        let receipt = try await accepted.environment.changes.amend(order)
        #expect(Set(receipt.filings.filter { $0.purpose == .amend }.map(\.kind)) == Set(OrderIntake.importFilings))
        #expect(receipt.unchanged.isEmpty)
    }

    @Test("a consignee phone change re-files only the customs messages stating it, and the inventory")
    func consigneeChange() async throws {
        let accepted = try await Self.accepted("consignee")
        defer { try? FileManager.default.removeItem(at: accepted.folder) }
        let order = try Self.amended(accepted.order, intake: accepted.environment.intake) { $0.consignee.phone = "13900009999" }
        let receipt = try await accepted.environment.changes.amend(order)
        #expect(receipt.filings.map(\.kind) == [.ceb311, .ceb511, .ceb621])
        #expect(receipt.unchanged == [.ceb411, .taxImport, .fxPayment])
        #expect(receipt.allowanceChange == 0)
    }

    @Test("the order's identities cannot change, an unknown order cannot be amended; nothing is written")
    func refusals() async throws {
        let accepted = try await Self.accepted("refused")
        defer { try? FileManager.default.removeItem(at: accepted.folder) }
        let changes = accepted.environment.changes
        var moved = accepted.order
        moved.logistics.waybillNo = "STX0000000000CN"
        moved.buyer.idNumber = "110101199001011234"
        moved.enterprises.ebcCode = "4401960E99"
        do {
            _ = try await changes.amend(moved)
            Issue.record("an amendment changing the waybill was filed")
        } catch let failure as ValidationFailure {
            #expect(failure.issues.map(\.pointer) == ["/enterprises/ebcCode", "/logistics/waybillNo", "/buyer/idNumber"])
            // The buyer's ID number is personal data: never echoed.
            #expect(!failure.description.contains("110101199001011234"))
            #expect(!failure.description.contains(accepted.order.buyer.idNumber))
        }
        var unknown = accepted.order
        unknown.orderNo = "YD-NOT-FILED"
        await #expect(throws: YidanError.self) { _ = try await changes.amend(unknown) }
        #expect(try await accepted.environment.store.filings(orderNo: accepted.order.orderNo).count == 6)
    }

    @Test("the content key ignores guid, appTime, appType and the signature, nothing else")
    func contentKey() throws {
        let (environment, folder) = try OrderIntakeFilingsTests.environment("content-key")
        defer { try? FileManager.default.removeItem(at: folder) }
        let catalog = try MappingCatalog(directory: RouterHarness.mappings)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: RouterHarness.orders.appendingPathComponent("bonded-wine-1210.json")))
        let tax = try CompositeTax.compute(order: order, rates: environment.taxRates, annualUsedBefore: 0)
        let first = try catalog.makeFiling(.ceb311, order: order, tax: tax, guid: "11111111-1111-1111-1111-111111111111", now: ZonedDateTime.now())
        let later = ZonedDateTime(instant: Date().addingTimeInterval(3600), utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds)
        let second = try catalog.makeFiling(
            .ceb311, order: order, tax: tax, guid: "22222222-2222-2222-2222-222222222222", now: later, appType: MappingCatalog.amendmentAppType
        )
        try XMLSignature.signEnveloped(second, with: environment.intake.signer)
        // appType comes from the mapping context: 1 unless asked for an amendment.
        #expect(try first.select("//*[local-name()='appType']").first?.text == "1")
        #expect(try second.select("//*[local-name()='appType']").first?.text == "2")

        var dearer = order
        dearer.freight += 1
        dearer.payment.amount += 1
        let third = try catalog.makeFiling(.ceb311, order: dearer, tax: tax, guid: "33333333-3333-3333-3333-333333333333", now: later)
        let firstKey = try OrderChanges.contentKey(first)
        #expect(try firstKey == OrderChanges.contentKey(second))
        #expect(try firstKey != OrderChanges.contentKey(third))
    }
}
