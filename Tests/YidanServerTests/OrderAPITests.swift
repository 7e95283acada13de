import Foundation
import Testing
import YidanServer

@Suite("merchant API: orders")
struct OrderAPITests {
    @Test("a retried POST with the same Idempotency-Key gets the first answer byte for byte and files nothing twice")
    func idempotentSubmit() async throws {
        let harness = try await ServerHarness.start("orders-idem")
        let key = harness.key("merchantA")
        let body = try ServerHarness.order()
        let first = try await harness.request("POST", "/v1/orders", key: key, body: body, headers: ["Idempotency-Key": "order-1"])
        #expect(first.status == 201)
        let again = try await harness.request("POST", "/v1/orders", key: key, body: body, headers: ["Idempotency-Key": "order-1"])
        #expect(again.status == 201)
        #expect(again.body == first.body)
        let answer = try harness.json(first.body)
        #expect(answer["accepted"] as? Bool == true)
        #expect((answer["filings"] as? [Any])?.count == 6)

        // The same order without the key: recognised by its number, nothing filed twice.
        let byNumber = try await harness.request("POST", "/v1/orders", key: key, body: body)
        #expect(byNumber.status == 200)
        #expect(try harness.json(byNumber.body)["accepted"] as? Bool == false)
        #expect(try await harness.store.filings(orderNo: "YD20261129-0001").count == 6)

        // The same key with another body is refused, naming the header.
        let other = try await harness.request("POST", "/v1/orders", key: key, body: Data(body.dropLast(2) + Data(" }".utf8)), headers: ["Idempotency-Key": "order-1"])
        #expect(other.status == 422)
        let error = try #require(try harness.json(other.body)["error"] as? [String: Any])
        #expect(error["code"] as? String == "idempotency-key-reused")
        #expect(error["field"] as? String == "Idempotency-Key")
        await harness.stop()
    }

    @Test("an invalid order is 422 with the offending field; bad JSON is 400; no personal data in either")
    func refusals() async throws {
        let harness = try await ServerHarness.start("orders-refused")
        let key = harness.key("admin")
        var order = try #require(try JSONSerialization.jsonObject(with: try ServerHarness.order()) as? [String: Any])
        order["currency"] = "XYZ"
        let refused = try await harness.request("POST", "/v1/orders", key: key, body: try JSONSerialization.data(withJSONObject: order))
        #expect(refused.status == 422)
        let error = try #require(try harness.json(refused.body)["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid-order")
        #expect(error["field"] as? String == "/currency")
        let text = String(decoding: refused.body, as: UTF8.self)
        let buyer = try #require(order["buyer"] as? [String: Any])
        for value in ["name", "idNumber", "phone"].compactMap({ buyer[$0] as? String }) {
            #expect(!text.contains(value))
        }
        let broken = try await harness.request("POST", "/v1/orders", key: key, body: Data("{\"orderNo\":".utf8))
        #expect(broken.status == 400)
        #expect((try harness.json(broken.body)["error"] as? [String: Any])?["code"] as? String == "bad-request")
        await harness.stop()
    }

    @Test("GET shows the rolled-up status, every filing and its receipts, with personal data masked; amend and return")
    func orderView() async throws {
        let harness = try await ServerHarness.start("orders-view")
        let key = harness.key("merchantA")
        let body = try ServerHarness.order()
        #expect(try await harness.request("POST", "/v1/orders", key: key, body: body).status == 201)
        let released = try await ServerHarness.eventually {
            let view = try harness.json(try await harness.request("GET", "/v1/orders/YD20261129-0001", key: key).body)
            return view["status"] as? String == "released"
        }
        #expect(released)
        let answer = try await harness.request("GET", "/v1/orders/YD20261129-0001", key: key)
        let view = try harness.json(answer.body)
        #expect(view["merchant"] as? String == ServerHarness.merchantA)
        let filings = try #require(view["filings"] as? [[String: Any]])
        #expect(filings.count == 6)
        let inventory = try #require(filings.first { $0["kind"] as? String == "CEB621" })
        let receipts = try #require(inventory["receipts"] as? [[String: Any]])
        #expect(receipts.contains { $0["returnStatus"] as? String == "800" })
        let explanation = try #require(receipts.first { $0["returnStatus"] as? String == "800" }?["explanation"] as? [String: Any])
        #expect((explanation["zh"] as? String)?.isEmpty == false)
        #expect((explanation["en"] as? String)?.isEmpty == false)
        // Masked: the raw buyer and consignee values never appear.
        let order = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let text = String(decoding: answer.body, as: UTF8.self)
        for part in ["buyer", "consignee"] {
            let person = try #require(order[part] as? [String: Any])
            for field in ["name", "idNumber", "phone", "address"] {
                guard let value = person[field] as? String, value.count > 2 else { continue }
                #expect(!text.contains(value), "\(part).\(field) leaked")
            }
        }

        // Amending with the same content files nothing; a return of the released goods files CEB625.
        let amended = try await harness.request("POST", "/v1/orders/YD20261129-0001/amend", key: key, body: body)
        #expect(amended.status == 201)
        let amendment = try harness.json(amended.body)
        #expect((amendment["filings"] as? [Any])?.isEmpty == true)
        #expect((amendment["unchanged"] as? [String])?.contains("CEB621") == true)
        let returned = try await harness.request("POST", "/v1/orders/YD20261129-0001/return", key: key, body: Data(#"{"reason":"damaged in transit"}"#.utf8))
        #expect(returned.status == 201)
        #expect((try harness.json(returned.body)["filings"] as? [[String: Any]])?.contains { $0["kind"] as? String == "CEB625" } == true)
        await harness.stop()
    }

    @Test("cancel files CEB623 once customs numbered the inventory; a reason is required")
    func cancel() async throws {
        let harness = try await ServerHarness.start("orders-cancel")
        let key = harness.key("merchantA")
        #expect(try await harness.request("POST", "/v1/orders", key: key, body: try ServerHarness.order()).status == 201)
        let numbered = try await ServerHarness.eventually {
            try await harness.store.filings(orderNo: "YD20261129-0001").contains { $0.kind == .ceb621 && (5..<100).contains($0.status.rank) }
        }
        #expect(numbered)
        let missing = try await harness.request("POST", "/v1/orders/YD20261129-0001/cancel", key: key, body: Data("{}".utf8))
        #expect(missing.status == 400)
        #expect((try harness.json(missing.body)["error"] as? [String: Any])?["field"] as? String == "/reason")
        let cancelled = try await harness.request("POST", "/v1/orders/YD20261129-0001/cancel", key: key, body: Data(#"{"reason":"buyer withdrew"}"#.utf8))
        #expect(cancelled.status == 201)
        let filings = try #require(try harness.json(cancelled.body)["filings"] as? [[String: Any]])
        #expect(filings.contains { $0["kind"] as? String == "CEB623" })
        await harness.stop()
    }
}
