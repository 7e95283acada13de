import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import YidanCore
import YidanServer

/// Provenance over loopback HTTP through `yidan serve`'s router: capture,
/// query, the JSON trace and the public HTML page, with no personal data.
@Suite struct TraceRoutesTests {
    static let examples = ServerHarness.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/epcis")
    /// The milk-powder fixture's buyer and consignee.
    static let personalData = ["王小明", "110105199003071239", "13900001234", "望京街道示例路88号"]

    @Test func captureNeedsAKeyIsAllOrNothingAndQueries() async throws {
        let harness = try await ServerHarness.start("trace-capture")
        let document = try Data(contentsOf: Self.examples.appendingPathComponent("openepcis__ObjectEvent.xml"))
        #expect(try await harness.request("POST", "/v1/events", body: document).status == 401)

        let captured = try await harness.request("POST", "/v1/events", key: harness.key("merchantA"), body: document)
        #expect(captured.status == 201)
        #expect((try harness.json(captured.body)["captured"] as? [String])?.count == 2)

        let invalid = Data(#"{"epcisBody":{"eventList":[{"type":"ObjectEvent","eventTime":"yesterday","eventTimeZoneOffset":"+08:00","action":"ADD","epcList":["urn:epc:id:sgtin:0614141.107346.9"]}]}}"#.utf8)
        let refused = try await harness.request("POST", "/v1/events", key: harness.key("merchantA"), body: invalid)
        #expect(refused.status == 422)
        #expect((try harness.json(refused.body)["error"] as? [String: Any])?["field"] as? String == "/epcisBody/eventList/0/eventTime")

        let shipping = try await harness.request("GET", "/v1/events?bizStep=shipping")
        #expect(shipping.status == 200)
        #expect((try harness.json(shipping.body)["events"] as? [Any])?.count == 1)
        let bySerial = try await harness.request("GET", "/v1/trace/01/10614141073464/21/2018")
        #expect((try harness.json(bySerial.body)["events"] as? [Any])?.count == 2)
        #expect(try await harness.request("GET", "/v1/trace/nothing-here").status == 404)
        await harness.stop()
    }

    @Test func anOrdersTraceAndPublicPageShowTheReleaseAndNoPersonalData() async throws {
        let harness = try await ServerHarness.start("trace-order")
        let submitted = try await harness.request("POST", "/v1/orders", key: harness.key("merchantA"), body: try ServerHarness.order())
        #expect(submitted.status == 201 || submitted.status == 202)
        let released = try await ServerHarness.eventually(timeout: .seconds(30)) {
            let answer = try await harness.request("GET", "/v1/trace/YD20261129-0001")
            return answer.status == 200 && String(decoding: answer.body, as: UTF8.self).contains("customs_released")
        }
        #expect(released)
        let json = try await harness.request("GET", "/v1/trace/YD20261129-0001")
        let steps = (try harness.json(json.body)["events"] as? [[String: Any]] ?? []).compactMap { $0["step"] as? String }
        #expect(steps.first == "retail_selling")
        let epcis = try await harness.request("GET", "/v1/trace/YD20261129-0001?format=epcis")
        #expect(String(decoding: epcis.body, as: UTF8.self).contains("EPCISDocument"))
        let page = try await harness.request("GET", "/trace/YD20261129-0001?lang=zh")
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(html.contains("海关已放行") && html.contains("广州"))
        let productPage = try await harness.request("GET", "/trace/01/09300617312345")
        #expect(String(decoding: productPage.body, as: UTF8.self).contains("released by customs"))
        for answer in [json, epcis, page, productPage] {
            let text = String(decoding: answer.body, as: UTF8.self)
            for secret in Self.personalData { #expect(!text.contains(secret)) }
        }
        await harness.stop()
    }
}
