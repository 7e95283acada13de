import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanStore

/// Provenance end to end: an import order filed through the simulator until
/// customs releases it; the sale, shipping and customs events yidan recorded
/// itself then show in `yidan trace`, in every output format, without any of
/// the buyer's or consignee's personal data.
@Suite struct TraceFlowTests {
    static let orderNo = "YD20261129-0001"
    /// The milk-powder fixture's buyer and consignee.
    static let personalData = ["王小明", "110105199003071239", "13900001234", "望京街道示例路88号", "北京市朝阳区"]

    @Test func anImportOrderIsTracedFromSaleToCustomsRelease() async throws {
        let folder = try Harness.temporaryFolder("trace")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("yidan.sqlite").path
        let environment = try YidanEnvironment(storePath: storePath, mappingsPath: Harness.mappings.path)
        let deployment = try await EmbeddedDeployment.start(environment: environment, stepDelay: .milliseconds(20))
        let receipt = try await deployment.runtime.submit(json: Data(contentsOf: Harness.orders.appendingPathComponent("milk-powder-9610.json")))
        #expect(receipt.orderNo == Self.orderNo)

        // Released = the inventory's final status; the release event follows from the same receipt.
        let released = try await Harness.eventually(timeout: .seconds(60)) {
            let filings = try await environment.store.filings(orderNo: Self.orderNo)
            guard filings.first(where: { $0.kind == .ceb621 })?.status == .released else { return false }
            let trace = try await YidanProcess.run(["trace", Self.orderNo, "--store", storePath, "--json"], folder: folder, name: "poll")
            return trace.stdout.contains("customs_released")
        }
        await deployment.stop()
        #expect(released)

        let english = try await YidanProcess.run(["trace", Self.orderNo, "--store", storePath], folder: folder, name: "en")
        #expect(english.status == 0, "\(english.stderr)")
        #expect(english.stdout.contains("sold"))
        #expect(english.stdout.contains("shipped"))
        #expect(english.stdout.contains("declared to customs"))
        #expect(english.stdout.contains("released by customs at Guangzhou (5141)"))
        let lines = english.stdout.split(separator: "\n")
        let sold = try #require(lines.firstIndex { $0.contains("sold") })
        let release = try #require(lines.firstIndex { $0.contains("released by customs") })
        #expect(sold < release)

        let chinese = try await YidanProcess.run(["trace", Self.orderNo, "--store", storePath, "--lang", "zh"], folder: folder, name: "zh")
        #expect(chinese.stdout.contains("已售出") && chinese.stdout.contains("海关已放行") && chinese.stdout.contains("广州"))

        let json = try await YidanProcess.run(["trace", Self.orderNo, "--store", storePath, "--json"], folder: folder, name: "json")
        let timeline = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let steps = (timeline["events"] as? [[String: Any]] ?? []).compactMap { $0["step"] as? String }
        #expect(steps.contains("retail_selling") && steps.contains("urn:yidan:bizstep:customs_released"))

        let epcis = try await YidanProcess.run(["trace", Self.orderNo, "--store", storePath, "--epcis"], folder: folder, name: "epcis")
        #expect(epcis.stdout.contains("\"EPCISDocument\"") && epcis.stdout.contains("https://id.gs1.org/01/09300617312345"))

        // The same product by SKU and by its GS1 Digital Link.
        let bySKU = try await YidanProcess.run(["trace", "AU-A2-900G-S3", "--store", storePath], folder: folder, name: "sku")
        #expect(bySKU.stdout.contains("released by customs"))
        let byLink = try await YidanProcess.run(["trace", "https://id.gs1.org/01/09300617312345", "--store", storePath], folder: folder, name: "link")
        #expect(byLink.stdout.contains("sold"))

        for output in [english, chinese, json, epcis, bySKU, byLink] {
            for secret in Self.personalData {
                #expect(!output.stdout.contains(secret) && !output.stderr.contains(secret), "personal data in trace output: \(output.stdout)")
            }
        }

        let verify = try await YidanProcess.run(["trace", "verify", "--store", storePath], folder: folder, name: "verify")
        #expect(verify.status == 0 && verify.stdout.contains("all chains intact"), "\(verify.stdout)")
    }
}

/// `yidan event add / import / query` as a producer would use them.
@Suite struct EventCommandTests {
    static let examples = Harness.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/epcis")

    @Test func importAddAndQueryEvents() async throws {
        let folder = try Harness.temporaryFolder("events")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("yidan.sqlite").path

        let imported = try await YidanProcess.run(["event", "import", Self.examples.appendingPathComponent("openepcis__ObjectEvent.xml").path, "--store", store], folder: folder, name: "import")
        #expect(imported.status == 0 && imported.stdout.contains("captured 2 events"), "\(imported.stderr)")

        // One bad event in a document: refused with its field named, nothing stored.
        let bad = folder.appendingPathComponent("bad.jsonld")
        try Data(#"{"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"2026-11-29T10:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD","epcList":["urn:epc:id:sgtin:9524141.181335.1"],"bizStep":"commissioning"},{"type":"ObjectEvent","eventTime":"2026-11-29T10:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:9524141.181335.1"]}]}}"#.utf8).write(to: bad)
        let refused = try await YidanProcess.run(["event", "import", bad.path, "--store", store], folder: folder, name: "bad")
        #expect(refused.status == 65 && refused.stderr.contains("/epcisBody/eventList/1/action"), "\(refused.stderr)")

        let added = try await YidanProcess.run([
            "event", "add", "--action", "ADD", "--biz-step", "commissioning", "--class", "https://id.gs1.org/01/09300617312345/10/LOT42=500",
            "--read-point", "urn:epc:id:sgln:9300617.00001.0", "--time", "2026-10-01T08:00:00+10:00", "--store", store,
        ], folder: folder, name: "add")
        #expect(added.status == 0 && added.stdout.hasPrefix("ni:///sha-256;"), "\(added.stderr)")

        let queried = try await YidanProcess.run(["event", "query", "--biz-step", "commissioning", "--store", store, "--json"], folder: folder, name: "query")
        let events = (try JSONSerialization.jsonObject(with: Data(queried.stdout.utf8)) as? [String: Any])?["events"] as? [[String: Any]]
        #expect(events?.count == 1)
        let lot = try await YidanProcess.run(["trace", "09300617312345/10/LOT42", "--store", store], folder: folder, name: "lot")
        #expect(lot.status == 0 && lot.stdout.contains("produced"))
    }
}
