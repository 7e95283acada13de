import Foundation
import Testing
import YidanServer

@Suite("stuck filings")
struct StuckFilingTests {
    @Test("filings without a final receipt past the deadline are flagged in the API, on the desk and in /metrics")
    func stuck() async throws {
        // Receipts come slowly and the deadline is zero: every filing not yet final is stuck.
        let harness = try await ServerHarness.start("stuck", stepDelay: .seconds(5), deadline: .zero)
        let key = harness.key("brokerA")
        #expect(try await harness.request("POST", "/v1/orders", key: key, body: try ServerHarness.order()).status == 201)
        let list = try harness.json(try await harness.request("GET", "/v1/filings", key: key).body)
        let filings = try #require(list["filings"] as? [[String: Any]])
        #expect(!filings.isEmpty && filings.allSatisfy { $0["final"] as? Bool == true || $0["stuck"] as? Bool == true })
        let desk = String(decoding: try await harness.request("GET", "/", key: key).body, as: UTF8.self)
        #expect(desk.contains(" stuck\""))
        let metrics = String(decoding: try await harness.request("GET", "/metrics", key: key).body, as: UTF8.self)
        let stuckLine = try #require(metrics.split(separator: "\n").first { $0.hasPrefix(#"yidan_filings_stuck{authority="customs"}"#) })
        #expect(stuckLine.hasSuffix(" 4") || stuckLine.hasSuffix(" 4.0"))
        await harness.stop()
    }
}
