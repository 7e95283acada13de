import Foundation
import Testing
import YidanCore
import YidanIngest

/// The decoder's export rules: an `export` object switches the import-only checks.
@Suite("Export order rules in the decoder")
struct ExportOrderRulesTests {
    /// The fixture with one change applied to its JSON object.
    private func decode(_ name: String, _ change: (inout [String: Any]) -> Void) throws -> Result<NormalizedOrder, ValidationFailure> {
        var object = try #require(JSONSerialization.jsonObject(with: ExportFixtures.data(name)) as? [String: Any])
        change(&object)
        let data = try JSONSerialization.data(withJSONObject: object)
        return Result { () throws(ValidationFailure) in try NormalizedOrderJSON.decode(data) }
    }

    private func pointers(_ result: Result<NormalizedOrder, ValidationFailure>) -> [String] {
        guard case .failure(let failure) = result else { return [] }
        return failure.issues.map(\.pointer)
    }

    @Test func exportBuyerNeedsNoIdentity() throws {
        let order = try ExportFixtures.load("phone-case-9610-export")
        #expect(order.buyer.idType == "2" && order.buyer.idNumber.isEmpty)
        #expect(order.tradeMode == .directPurchase && order.export?.statisticsFlag == .simplified)
    }

    @Test func exportIsDeliveredAbroad() throws {
        let result = try decode("phone-case-9610-export") { object in
            var consignee = object["consignee"] as? [String: Any] ?? [:]
            consignee["country"] = "CN"
            object["consignee"] = consignee
        }
        #expect(pointers(result) == ["/consignee/country"])
    }

    @Test func exportOnlyTradeModeNeedsExport() throws {
        let result = try decode("kitchenware-9810-overseas-warehouse") { $0["export"] = nil }
        #expect(pointers(result).contains("/tradeMode"))
    }

    @Test func statisticsFlagIsAOrB() throws {
        let result = try decode("kitchenware-9810-overseas-warehouse") { object in
            var export = object["export"] as? [String: Any] ?? [:]
            export["statisticsFlag"] = "1"
            object["export"] = export
        }
        #expect(pointers(result) == ["/export/statisticsFlag"])
    }

    @Test func bondedExportNamesTheAreaWarehouse() throws {
        let result = try decode("phone-case-9610-export") { object in
            object["tradeMode"] = "1210"
            var customs = object["customs"] as? [String: Any] ?? [:]
            customs["emsNo"] = "T5141W000123"
            object["customs"] = customs
        }
        #expect(pointers(result) == ["/export/iacCode", "/export/iacName"])
    }
}
