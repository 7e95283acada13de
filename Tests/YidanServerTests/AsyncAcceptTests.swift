import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanServer
import YidanStore

/// `POST /v1/orders` with `Prefer: respond-async`: 202 once the order is
/// durable, filed moments later by the preparer, exactly once.
@Suite("Orders acknowledged before filing (Prefer: respond-async)")
struct AsyncAcceptTests {
    static let async = ["Prefer": "respond-async"]

    /// The fixture order under another order number, optionally with another paid amount.
    static func order(_ orderNo: String, amount: String? = nil) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: ServerHarness.order()) as? [String: Any])
        object["orderNo"] = orderNo
        if let amount, var payment = object["payment"] as? [String: Any] {
            payment["amount"] = amount
            object["payment"] = payment
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("202 at once, then filed and released through the simulator; a repeat files nothing twice")
    func acknowledgedThenFiled() async throws {
        let harness = try await ServerHarness.start("async-accept")
        defer { Task { await harness.stop() } }
        let key = harness.key("merchantA")

        let first = try await harness.request("POST", "/v1/orders", key: key, body: try Self.order("ASYNC-0001"), headers: Self.async)
        #expect(first.status == 202, "\(String(decoding: first.body, as: UTF8.self))")
        #expect(first.headers["preference-applied"] == "respond-async")
        let answer = try harness.json(first.body)
        #expect(answer["state"] as? String == "waiting")
        #expect(answer["accepted"] as? Bool == true)
        #expect(answer["href"] as? String == "/v1/orders/ASYNC-0001")

        let released = try await ServerHarness.eventually(timeout: .seconds(30)) {
            let view = try await harness.request("GET", "/v1/orders/ASYNC-0001", key: key)
            return try view.status == 200 && (harness.json(view.body)["status"] as? String) == "released"
        }
        #expect(released)
        let filings = try await harness.store.filings(orderNo: "ASYNC-0001")
        #expect(filings.count == OrderIntake.importFilings.count)
        #expect(try await harness.server.orders.queue?.queuedOrder(orderNo: "ASYNC-0001")?.state == .filed)

        // The same order again, async or not: its filings, nothing new.
        let again = try await harness.request("POST", "/v1/orders", key: key, body: try Self.order("ASYNC-0001"), headers: Self.async)
        #expect(again.status == 200)
        #expect(try harness.json(again.body)["accepted"] as? Bool == false)
        #expect(try await harness.store.filings(orderNo: "ASYNC-0001").count == filings.count)
    }

    @Test("an order the intake refuses is shown refused, with the field and the rule; sent again fixed, it is filed")
    func refusedThenFixed() async throws {
        let harness = try await ServerHarness.start("async-refused")
        defer { Task { await harness.stop() } }
        let key = harness.key("merchantA")
        let wrong = try await harness.request("POST", "/v1/orders", key: key, body: try Self.order("ASYNC-0002", amount: "1.00"), headers: Self.async)
        #expect(wrong.status == 202)
        var problem = ""
        let refused = try await ServerHarness.eventually {
            let view = try harness.json(try await harness.request("GET", "/v1/orders/ASYNC-0002", key: key).body)
            problem = view["problem"] as? String ?? ""
            return view["status"] as? String == "refused"
        }
        #expect(refused)
        #expect(problem.contains("/payment/amount"), "\(problem)")
        #expect(problem.contains("must equal goodsValue + freight + taxTotal"), "\(problem)")
        #expect(try await harness.store.filings(orderNo: "ASYNC-0002").isEmpty)
        let metrics = String(decoding: try await harness.request("GET", "/metrics", key: harness.key("admin")).body, as: UTF8.self)
        #expect(metrics.contains(#"yidan_orders_queued{state="refused"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("orders_queued") })")
        // Another merchant's key sees nothing of it.
        #expect(try await harness.request("GET", "/v1/orders/ASYNC-0002", key: harness.key("merchantB")).status == 403)

        let fixed = try await harness.request("POST", "/v1/orders", key: key, body: try Self.order("ASYNC-0002"), headers: Self.async)
        #expect(fixed.status == 202)
        #expect(try harness.json(fixed.body)["accepted"] as? Bool == true)
        let filed = try await ServerHarness.eventually {
            try await harness.store.filings(orderNo: "ASYNC-0002").count == OrderIntake.importFilings.count
        }
        #expect(filed)
    }

    @Test("an order number of another merchant is 409, queued or filed")
    func otherMerchantsNumber() async throws {
        let harness = try await ServerHarness.start("async-conflict")
        defer { Task { await harness.stop() } }
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("merchantA"), body: try Self.order("ASYNC-0003"), headers: Self.async).status == 202)
        // Merchant B files an order of its own under A's number.
        var object = try #require(try JSONSerialization.jsonObject(with: try Self.order("ASYNC-0003")) as? [String: Any])
        var enterprises = try #require(object["enterprises"] as? [String: Any])
        enterprises["ebcCode"] = ServerHarness.merchantB
        object["enterprises"] = enterprises
        let taken = try await harness.request("POST", "/v1/orders", key: harness.key("merchantB"), body: try JSONSerialization.data(withJSONObject: object), headers: Self.async)
        #expect(taken.status == 409)
        #expect(String(decoding: taken.body, as: UTF8.self).contains("order-number-taken"))
    }

    @Test("32 concurrent async posts of 8 orders (4 each): every order filed once, six filings each")
    func concurrentRepeatsFileOnce() async throws {
        let harness = try await ServerHarness.start("async-concurrent")
        defer { Task { await harness.stop() } }
        let key = harness.key("merchantA")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<32 {
                let body = try Self.order("ASYNC-C\(index % 8)")
                group.addTask { try await harness.request("POST", "/v1/orders", key: key, body: body, headers: Self.async).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.allSatisfy { $0 == 202 || $0 == 200 }, "\(statuses)")
        let allFiled = try await ServerHarness.eventually(timeout: .seconds(60)) {
            try await harness.server.orders.queue?.queueCounts()[.filed] == 8
        }
        #expect(allFiled)
        for index in 0..<8 {
            let kinds = try await harness.store.filings(orderNo: "ASYNC-C\(index)").map(\.kind)
            #expect(kinds.count == OrderIntake.importFilings.count && Set(kinds).count == kinds.count, "ASYNC-C\(index): \(kinds)")
        }
    }
}
