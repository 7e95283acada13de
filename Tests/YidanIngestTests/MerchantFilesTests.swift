import Foundation
import Testing
import YidanCore
import YidanIngest

@Suite("Merchant files: profile, catalog, identities")
struct MerchantFilesTests {
    static let merchant = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/merchant")

    static func problems(_ body: () throws -> Void) -> [FieldIssue] {
        do {
            try body()
        } catch let error as YidanError {
            return (error.cause as? ValidationFailure)?.issues ?? [FieldIssue(pointer: "", value: nil, rule: error.message)]
        } catch {
            return [FieldIssue(pointer: "", value: nil, rule: "\(error)")]
        }
        return []
    }

    @Test func demoFilesLoad() throws {
        let context = try MerchantContext.load(
            profile: Self.merchant.appendingPathComponent("profile.yaml"),
            catalog: Self.merchant.appendingPathComponent("catalog.csv"),
            identities: Self.merchant.appendingPathComponent("identities.csv")
        )
        #expect(context.profile.enterprises.ebpCode == "3105960001")
        #expect(context.profile.packagingWeight == Decimal(string: "0.25"))
        #expect(context.catalog.product(sku: "Bar3")?.gcode == "6109100021")
        #expect(context.catalog.lookup(platform: "woocommerce", sku: nil, variantId: nil, productId: "613")?.product.sku == "Bar3")
        #expect(context.identities.identity(orderNo: "727")?["waybillNo"] == "YTO7270001CN")
    }

    @Test func profileProblemsNameLineKeyValueAndRule() {
        let yaml = """
            enterprises:
              ebpCode: "31059"
              ebpName: Demo
              ebcCode: "3105960001"
              ebcName: Demo
              agentCode: "3105960001"
              agentName: Agent
              assureCode: "3105960001"
              guarantor: x
            customs:
              tradeMode: "1210"
              customsCode: "2233"
              portCode: "2233"
              transportMode: "5"
            logistics:
              companyCode: "3105980L01"
              companyName: Express
              packagingWeight: heavy
            payment:
              companyName: Pay
            """
        let issues = Self.problems { _ = try MerchantProfile(yaml: yaml) }
        let text = issues.map(\.description)
        #expect(text.contains("profile.yaml line 2 key enterprises.ebpCode: \"31059\" must be 10 characters of [0-9A-Z] (customs registration code)"), "\(text)")
        #expect(text.contains { $0.hasPrefix("profile.yaml line 9 key enterprises.guarantor: is not a profile key") })
        #expect(text.contains("profile.yaml key payment.companyCode: is required"))
        #expect(text.contains { $0.contains("key customs.emsNo") && $0.contains("1210") })
        #expect(text.contains { $0.hasPrefix("profile.yaml line 18 key logistics.packagingWeight: \"heavy\"") })
    }

    @Test func catalogProblemsNameLineColumnValueAndRule() {
        let csv = """
            sku,gcode,name,model,unit,unit1,qty1,unit2,qty2,originCountry,barcode,netWeight,taxNote,platformRefs
            A-1,12345,Name,Model,piece,kg,0.5,,,US,,0.5,,
            A-1,6109100021,Name,Model,piece,kg,0,kg,,usa,,0.5,,shop:thing:1
            """
        let text = Self.problems { _ = try ProductCatalog(csv: csv) }.map(\.description)
        #expect(text.contains("catalog.csv line 2 column gcode: \"12345\" must be 10 digits"), "\(text)")
        #expect(text.contains("catalog.csv line 3 column originCountry: \"usa\" must be 2 or 3 upper-case letters (ISO 3166)"))
        #expect(text.contains("catalog.csv line 3 column qty1: \"0\" must be a decimal greater than 0 with at most 5 decimals"))
        #expect(text.contains("catalog.csv line 3 column qty2: is required when unit2 is given"))
        #expect(text.contains { $0.hasPrefix("catalog.csv line 3 column platformRefs: \"shop:thing:1\"") })
        let duplicate = Self.problems {
            _ = try ProductCatalog(csv: "sku,gcode,name,model,unit,unit1,qty1,originCountry,netWeight\nB,6109100021,N,M,piece,kg,1,US,1\nB,6109100021,N,M,piece,kg,1,US,1\n")
        }.map(\.description)
        #expect(duplicate == ["catalog.csv line 3 column sku: \"B\" repeats the SKU of line 2"])
    }

    @Test func identityProblemsAreMasked() {
        let csv = "orderNo,idType,idNumber,realName,phone\n1001,1,310115199003071230,张三丰,12\n"
        let text = Self.problems { _ = try BuyerIdentities(csv: csv) }.map(\.description)
        #expect(text.contains("identities.csv line 2 column idNumber: \"3101**********1230\" must be an 18-character mainland ID number with a valid check digit"), "\(text)")
        #expect(text.contains { $0.hasPrefix("identities.csv line 2 column phone: \"1*\"") })
        #expect(!text.joined().contains("310115199003071230"))
    }
}
