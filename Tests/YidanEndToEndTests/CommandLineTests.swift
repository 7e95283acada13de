import Foundation
import Testing
import YidanCore
import YidanIngest

/// The CLI as a merchant and a broker use it, as a real child process.
@Suite struct CommandLineTests {
    @Test func refusedOrderNamesEveryProblemByPointerAndExits65() async throws {
        let folder = try Harness.temporaryFolder("cli-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = Harness.orders.appendingPathComponent("invalid/many-errors.json")
        let result = try await YidanProcess.run(["submit", bad.path, "--store", folder.appendingPathComponent("s.sqlite").path], folder: folder, name: "submit")
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        // Several problems, each on its own line starting with a JSON pointer.
        let problemLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("  /") }
        #expect(problemLines.count >= 3, "\(result.stderr)")
        #expect(result.stderr.contains("/items/0/gcode"))
    }

    @Test func statusAndListShowFilingsButNoPersonalData() async throws {
        let folder = try Harness.temporaryFolder("cli-status")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))

        let submit = try await YidanProcess.run(["submit", file.path, "--store", store], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.contains("accepted \(order.orderNo)"))
        for kind in MessageKind.importDeclaration + [.taxImport, .fxPayment] { #expect(submit.stdout.contains(kind.rawValue)) }

        let status = try await YidanProcess.run(["status", order.orderNo, "--store", store, "--history"], folder: folder, name: "status")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.components(separatedBy: "queued").count - 1 >= 6)

        let list = try await YidanProcess.run(["list", "--status", "queued", "--store", store], folder: folder, name: "list")
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").count == 7)  // header + 4 customs, tax and FX filings
        let rejected = try await YidanProcess.run(["list", "--status", "rejected", "--store", store], folder: folder, name: "list-rejected")
        #expect(rejected.stdout.contains("no filings with status rejected"))

        let everything = submit.stdout + submit.stderr + status.stdout + status.stderr + list.stdout
        for secret in [order.buyer.name, order.buyer.idNumber, order.buyer.phone, order.consignee.name, order.consignee.phone, order.consignee.address] {
            #expect(!everything.contains(secret))
        }

        let missing = try await YidanProcess.run(["status", "NO-SUCH-ORDER", "--store", store], folder: folder, name: "missing")
        #expect(missing.status == 66)
        let badStatus = try await YidanProcess.run(["list", "--status", "lost", "--store", store], folder: folder, name: "bad-status")
        #expect(badStatus.status != 0)
        #expect(badStatus.stderr.contains("--status"))
    }
}

/// `yidan submit` with real platform payloads, joined with the merchant's files.
@Suite struct PlatformSubmitTests {
    static let reference = Harness.packageRoot.appendingPathComponent("../shared/reference").standardizedFileURL
    static let merchant = Harness.packageRoot.appendingPathComponent("Fixtures/merchant")

    @Test func aShopifyOrderIsDetectedJoinedConvertedAndFiled() async throws {
        let folder = try Harness.temporaryFolder("cli-shopify")
        defer { try? FileManager.default.removeItem(at: folder) }
        let payload = Self.reference.appendingPathComponent("orders/shopify/shopify_python_api__order.json").path
        let store = folder.appendingPathComponent("s.sqlite").path

        // Without the merchant's files the payload is recognised and the missing files named.
        let bare = try await YidanProcess.run(["submit", payload, "--store", store], folder: folder, name: "bare")
        #expect(bare.status == 64)
        #expect(bare.stderr.contains("shopify payload"))
        #expect(bare.stderr.contains("--profile"))

        let result = try await YidanProcess.run([
            "submit", payload, "--store", store,
            "--profile", Self.merchant.appendingPathComponent("profile.yaml").path,
            "--catalog", Self.merchant.appendingPathComponent("catalog.csv").path,
            "--identities", Self.merchant.appendingPathComponent("identities.csv").path,
            "--rates", Self.reference.appendingPathComponent("filings/ecb/eurofxref-daily_2025-05-09.xml").path,
            "--rate-date", "2025-05-09",
        ], folder: folder, name: "shopify")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("accepted 1001"))
        for kind in ["CEB311", "CEB411", "CEB511", "CEB621", "TAX-IMPORT", "FX-PAYMENT"] { #expect(result.stdout.contains(kind)) }
    }

    @Test func explainShowsEveryFieldWithItsOriginAndMasksPersonalData() async throws {
        let folder = try Harness.temporaryFolder("cli-explain")
        defer { try? FileManager.default.removeItem(at: folder) }
        let identities = Self.merchant.appendingPathComponent("identities.csv")
        let result = try await YidanProcess.run([
            "ingest", "--explain", Self.reference.appendingPathComponent("orders/shopify/shopify_python_api__order.json").path,
            "--profile", Self.merchant.appendingPathComponent("profile.yaml").path,
            "--catalog", Self.merchant.appendingPathComponent("catalog.csv").path,
            "--identities", identities.path,
            "--rates", Self.reference.appendingPathComponent("filings/ecb/eurofxref-daily_2025-05-09.xml").path,
            "--rate-date", "2025-05-09",
        ], folder: folder, name: "explain")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        func origin(of pointer: String) -> String? {
            guard let index = lines.firstIndex(where: { $0.hasPrefix(pointer + " ") }), index + 1 < lines.count else { return nil }
            return lines[index + 1]
        }
        #expect(origin(of: "/orderNo")?.contains("shopify:/order/name") == true)
        #expect(origin(of: "/items/0/gcode")?.contains("catalog") == true)
        #expect(origin(of: "/tradeMode")?.contains("profile") == true)
        #expect(origin(of: "/freight")?.contains("7.2405") == true)
        #expect(origin(of: "/buyer/idNumber")?.contains("identities") == true)
        let identity = try #require(try BuyerIdentities(contentsOf: identities).identity(orderNo: "1001"))
        for column in ["idNumber", "realName", "phone", "consigneeAddress"] {
            let secret = try #require(identity[column])
            #expect(!result.stdout.contains(secret), "\(column) shown unmasked")
        }
    }

    @Test func theMalformedShopeeSampleIsRefusedWithItsPosition() async throws {
        let folder = try Harness.temporaryFolder("cli-shopee")
        defer { try? FileManager.default.removeItem(at: folder) }
        let payload = Self.reference.appendingPathComponent("orders/shopee/v2.order.get_order_detail.response_sample.txt").path
        let result = try await YidanProcess.run(["submit", payload, "--store", folder.appendingPathComponent("s.sqlite").path], folder: folder, name: "shopee")
        #expect(result.status == 65)
        #expect(result.stderr.contains("line 2, column 1"))
    }
}
