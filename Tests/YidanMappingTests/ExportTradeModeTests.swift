import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanMapping

/// What the B2B direct (9710) and bonded (1210) export fixtures put in their
/// declarations, by the 202205 spec's rules: CEB303 orderType B for 9710
/// (a business buys: no consumer), and for a special-area (1210) export the
/// area enterprise (iacCode/iacName), the account book (emsNo) and each line's
/// account-book item number (itemRecordNo) in the CEB603.
@Suite struct ExportTradeModeTests {
    static let b2b = "bike-parts-9710-b2b-direct"
    static let bonded = "tea-set-1210-bonded-export"

    @Test func b2bDirectExportIsABusinessOrderSummarisedInEuros() throws {
        let order = try ExportFixtures.build(Self.b2b, .ceb303)
        #expect(try ExportFixtures.text(order, "//ceb:OrderHead/ceb:orderType") == ["B"])
        #expect(try ExportFixtures.text(order, "//ceb:OrderHead/ceb:currency") == ["300"])
        let inventory = try ExportFixtures.build(Self.b2b, .ceb603)
        let head = "//ceb:InventoryHead/ceb:"
        #expect(try ExportFixtures.text(inventory, head + "tradeMode") == ["9710"])
        #expect(try ExportFixtures.text(inventory, head + "statisticsFlag") == ["B"])
        #expect(try ExportFixtures.text(inventory, head + "POD") == ["RTM"])
        // Not a special-area export: no area enterprise, no account book.
        #expect(try ExportFixtures.text(inventory, head + "iacCode").isEmpty)
        #expect(try ExportFixtures.text(inventory, head + "emsNo").isEmpty)
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:itemRecordNo").isEmpty)
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:qty") == ["600", "400"])
    }

    @Test func bondedExportNamesItsAreaEnterpriseAndAccountBook() throws {
        #expect(try ExportFixtures.text(ExportFixtures.build(Self.bonded, .ceb303), "//ceb:OrderHead/ceb:orderType") == ["E"])
        let inventory = try ExportFixtures.build(Self.bonded, .ceb603)
        let head = "//ceb:InventoryHead/ceb:"
        #expect(try ExportFixtures.text(inventory, head + "tradeMode") == ["1210"])
        #expect(try ExportFixtures.text(inventory, head + "statisticsFlag") == ["A"])
        #expect(try ExportFixtures.text(inventory, head + "customsCode") == ["5165"])
        #expect(try ExportFixtures.text(inventory, head + "portCode") == ["5141"])
        #expect(try ExportFixtures.text(inventory, head + "iacCode") == ["4401630W08"])
        #expect(try ExportFixtures.text(inventory, head + "iacName") == ["广州南沙示例保税仓储有限公司"])
        #expect(try ExportFixtures.text(inventory, head + "emsNo") == ["T5165W000044"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:itemRecordNo") == ["TEA-SET-6PC", "TEA-OOL-250"])
        #expect(try ExportFixtures.text(inventory, "//ceb:InventoryList/ceb:unit") == ["006", "122"])
    }

    /// Without its area enterprise a 1210 export is refused by field, before any mapping.
    @Test func aBondedExportWithoutItsAreaEnterpriseIsRefused() throws {
        let original = String(decoding: try ExportFixtures.data(Self.bonded), as: UTF8.self)
        let text = original.replacingOccurrences(of: "\"iacCode\": \"4401630W08\",\n", with: "")
        #expect(text != original)
        let issues = Self.issues(Data(text.utf8))
        #expect(issues.map(\.pointer) == ["/export/iacCode"])
    }

    static func issues(_ json: Data) -> [FieldIssue] {
        do {
            _ = try NormalizedOrderJSON.decode(json)
            return []
        } catch let failure as ValidationFailure {
            return failure.issues
        } catch {
            return [FieldIssue(pointer: "", value: nil, rule: "\(error)")]
        }
    }
}
