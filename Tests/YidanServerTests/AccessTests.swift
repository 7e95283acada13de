import Foundation
import Testing
import YidanServer

/// Every endpoint: 401 without a key, 403 with the wrong role or for another
/// merchant's order, and the right key gets through.
@Suite("API access by role")
struct AccessTests {
    @Test("every endpoint answers 401 without a key and with an unknown key")
    func unauthorized() async throws {
        let harness = try await ServerHarness.start("access-401")
        let routes = harness.server.routes().routes.filter { !ServerHarness.publicRoutes.contains($0.description) }
        #expect(routes.count >= 10)
        for route in routes {
            let path = route.path.replacingOccurrences(of: "{orderNo}", with: "YD20261129-0001").replacingOccurrences(of: "{id}", with: "X")
            for key in [nil, "yd_not-a-key"] as [String?] {
                let answer = try await harness.request(route.method, path, key: key, body: route.method == "GET" ? nil : Data("{}".utf8))
                #expect(answer.status == 401, "\(route) with key \(key ?? "none") gave \(answer.status)")
                if route.path != "/" {
                    let error = try #require(try harness.json(answer.body)["error"] as? [String: Any])
                    #expect(error["code"] as? String == "unauthorized")
                }
            }
        }
        await harness.stop()
    }

    @Test("broker endpoints refuse merchant keys; receipts take admin keys only")
    func wrongRole() async throws {
        let harness = try await ServerHarness.start("access-role")
        let merchant = harness.key("merchantA")
        for (method, path) in [("GET", "/v1/filings"), ("GET", "/v1/filings/counts"), ("POST", "/v1/filings/X/retry"), ("GET", "/v1/stream"), ("GET", "/v1/health"), ("GET", "/metrics")] {
            let answer = try await harness.request(method, path, key: merchant)
            #expect(answer.status == 403, "\(method) \(path) gave \(answer.status)")
            let error = try #require(try harness.json(answer.body)["error"] as? [String: Any])
            #expect(error["code"] as? String == "forbidden")
        }
        for name in ["merchantA", "brokerA"] {
            let answer = try await harness.request("POST", "/v1/receipts", key: harness.key(name), body: Data("<x/>".utf8))
            #expect(answer.status == 403, "receipts with \(name) gave \(answer.status)")
        }
        #expect(try await harness.request("GET", "/", key: merchant).status == 403)
        await harness.stop()
    }

    @Test("another merchant's order is 403 for merchants and brokers not appointed for it")
    func otherMerchant() async throws {
        let harness = try await ServerHarness.start("access-scope")
        let filed = try await harness.request("POST", "/v1/orders", key: harness.key("merchantA"), body: try ServerHarness.order())
        #expect(filed.status == 201)
        let orderNo = "YD20261129-0001"
        let filingID = try #require(((try harness.json(filed.body)["filings"] as? [[String: Any]])?.first?["id"]) as? String)

        // Filing an order of merchant A with merchant B's key.
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("merchantB"), body: try ServerHarness.order()).status == 403)
        for name in ["merchantB", "brokerB"] {
            let key = harness.key(name)
            #expect(try await harness.request("GET", "/v1/orders/\(orderNo)", key: key).status == 403, "\(name) read")
            #expect(try await harness.request("POST", "/v1/orders/\(orderNo)/amend", key: key, body: try ServerHarness.order()).status == 403)
            #expect(try await harness.request("POST", "/v1/orders/\(orderNo)/cancel", key: key, body: Data(#"{"reason":"x"}"#.utf8)).status == 403)
            #expect(try await harness.request("POST", "/v1/orders/\(orderNo)/return", key: key, body: Data(#"{"reason":"x"}"#.utf8)).status == 403)
        }
        #expect(try await harness.request("POST", "/v1/filings/\(filingID)/retry", key: harness.key("brokerB")).status == 403)

        // Broker B sees none of A's filings; broker A and admin do.
        let listB = try harness.json(try await harness.request("GET", "/v1/filings", key: harness.key("brokerB")).body)
        #expect((listB["filings"] as? [Any])?.isEmpty == true)
        for name in ["brokerA", "admin"] {
            let list = try harness.json(try await harness.request("GET", "/v1/filings", key: harness.key(name)).body)
            #expect((list["filings"] as? [Any])?.count == 6, "\(name)")
            #expect(try await harness.request("GET", "/v1/orders/\(orderNo)", key: harness.key(name)).status == 200)
        }
        #expect(try await harness.request("GET", "/v1/orders/\(orderNo)", key: harness.key("merchantA")).status == 200)
        #expect(try await harness.request("GET", "/v1/orders/NO-SUCH", key: harness.key("admin")).status == 404)
        await harness.stop()
    }
}

extension ServerHarness {
    /// Routes anyone may call: health, sign-in and the desk's static assets.
    /// The consumer's provenance (YidanTrace) is public too; capturing events is not.
    static let publicRoutes: Set<String> = [
        "GET /healthz", "POST /login", "POST /logout", "GET /dashboard/app.js", "GET /dashboard/app.css",
        "GET /v1/events", "GET /v1/trace/{id}", "GET /v1/trace/01/{gtin}", "GET /v1/trace/01/{gtin}/{ai}/{value}",
        "GET /trace/{id}", "GET /trace/01/{gtin}", "GET /trace/01/{gtin}/{ai}/{value}",
    ]
}
