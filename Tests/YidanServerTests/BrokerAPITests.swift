import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanServer
import YidanChildProcess

@Suite("broker API: filings, retry, stream, receipts, metrics")
struct BrokerAPITests {
    @Test("filings filter by status, authority, kind and merchant and page with a cursor")
    func filters() async throws {
        let harness = try await ServerHarness.start("broker-list")
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("admin"), body: try ServerHarness.order()).status == 201)
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("admin"), body: try ServerHarness.order("skincare-9610.json")).status == 201)
        let key = harness.key("admin")
        func list(_ query: String) async throws -> [String: Any] {
            try harness.json(try await harness.request("GET", "/v1/filings?" + query, key: key).body)
        }
        #expect((try await list("")["filings"] as? [Any])?.count == 12)
        let customs = try #require(try await list("authority=customs")["filings"] as? [[String: Any]])
        #expect(customs.count == 8 && customs.allSatisfy { $0["authority"] as? String == "customs" })
        #expect((try await list("kind=CEB621,TAX-IMPORT")["filings"] as? [Any])?.count == 4)
        #expect((try await list("merchant=\(ServerHarness.merchantB)")["filings"] as? [[String: Any]])?.allSatisfy { $0["merchant"] as? String == ServerHarness.merchantB } == true)
        #expect((try await list("status=closed")["filings"] as? [Any])?.isEmpty == true)

        // Pages of 5: 5 + 5 + 2, no filing twice.
        var seen: [String] = []
        var after: String?
        repeat {
            let page = try await list("limit=5" + (after.map { "&after=" + $0 } ?? ""))
            seen += (page["filings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            after = page["next"] as? String
        } while after != nil && seen.count < 20
        #expect(seen.count == 12 && Set(seen).count == 12)

        let bad = try await harness.request("GET", "/v1/filings?status=lost", key: key)
        #expect(bad.status == 400)
        #expect((try harness.json(bad.body)["error"] as? [String: Any])?["field"] as? String == "status")
        await harness.stop()
    }

    @Test("retry refuses a filing that is not dead or transport-refused (409) and an unknown one (404)")
    func retry() async throws {
        let harness = try await ServerHarness.start("broker-retry")
        let filed = try await harness.request("POST", "/v1/orders", key: harness.key("brokerA"), body: try ServerHarness.order())
        #expect(filed.status == 201)
        let id = try #require(((try harness.json(filed.body)["filings"] as? [[String: Any]])?.first?["id"]) as? String)
        let refused = try await harness.request("POST", "/v1/filings/\(id)/retry", key: harness.key("brokerA"))
        #expect(refused.status == 409)
        #expect((try harness.json(refused.body)["error"] as? [String: Any])?["code"] as? String == "not-retryable")
        #expect(try await harness.request("POST", "/v1/filings/NOPE/retry", key: harness.key("admin")).status == 404)
        await harness.stop()
    }

    /// `curl -N` reading `GET /v1/stream` into a file, once the stream has started.
    static func streamReader(_ harness: ServerHarness, key: String, file: String) async throws -> (ChildProcess, @Sendable () -> String) {
        let output = harness.folder.appendingPathComponent(file)
        let curl = try ChildProcess(
            "/usr/bin/curl", ["-sN", "-H", "Authorization: Bearer \(harness.key(key))", harness.baseURL.appendingPathComponent("v1/stream").absoluteString],
            stdout: .file(output.path)
        )
        let received: @Sendable () -> String = { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        #expect(await ServerHarness.eventually { received().contains(": stream after") })
        return (curl, received)
    }

    @Test("the stream sends every status move as a server-sent event, read by curl over loopback")
    func stream() async throws {
        let harness = try await ServerHarness.start("broker-stream")
        let (curl, received) = try await Self.streamReader(harness, key: "brokerA", file: "stream.txt")
        defer {
            curl.send(SIGTERM)
            curl.waitUntilExit()
        }

        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("merchantA"), body: try ServerHarness.order()).status == 201)
        // Merchant B's order is not broker A's: its moves never reach this stream.
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("merchantB"), body: try ServerHarness.order("skincare-9610.json")).status == 201)
        let sawRelease = await ServerHarness.eventually {
            received().contains(#""kind":"CEB621""#) && received().contains(#""to":"released""#)
        }
        #expect(sawRelease)
        let text = received()
        #expect(text.contains("event: status\n"))
        #expect(text.contains("YD20261129-0001"))
        #expect(!text.contains("YD20261129-0002"))
        // Event ids grow: a client resumes with Last-Event-ID.
        let ids = text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int64($0.dropFirst(4)) }
        #expect(!ids.isEmpty && ids == ids.sorted())
        await harness.stop()
    }

    @Test("the stream shows moves made through another handle on the same store (another process's writes)")
    func streamAcrossProcesses() async throws {
        let harness = try await ServerHarness.start("broker-stream-other")
        let (curl, received) = try await Self.streamReader(harness, key: "admin", file: "stream-other.txt")
        defer {
            curl.send(SIGTERM)
            curl.waitUntilExit()
        }
        // A second environment on the same SQLite file, as `yidan submit` in another process opens it.
        let other = try YidanEnvironment(
            storePath: harness.folder.appendingPathComponent("yidan.sqlite").path,
            mappingsPath: ServerHarness.packageRoot.appendingPathComponent("Mappings").path
        )
        _ = try await other.intake.submit(json: try ServerHarness.order("skincare-9610.json"))
        #expect(await ServerHarness.eventually { received().contains("YD20261129-0002") && received().contains(#""cause":"stored""#) })
        await harness.stop()
    }

    @Test("receipts posted with an admin key go through the inbox's parser")
    func receipts() async throws {
        let harness = try await ServerHarness.start("broker-receipts")
        let garbage = try await harness.request("POST", "/v1/receipts", key: harness.key("admin"), body: Data("not xml".utf8))
        #expect(garbage.status == 400)
        let error = try #require(try harness.json(garbage.body)["error"] as? [String: Any])
        #expect(error["code"] as? String != nil && error["message"] as? String != nil)
        await harness.stop()
    }

    @Test("/metrics has filings by authority and status and request counters in Prometheus text")
    func metrics() async throws {
        let harness = try await ServerHarness.start("broker-metrics")
        #expect(try await harness.request("POST", "/v1/orders", key: harness.key("admin"), body: try ServerHarness.order()).status == 201)
        let answer = try await harness.request("GET", "/metrics", key: harness.key("brokerA"))
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"]?.hasPrefix("text/plain") == true)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("# TYPE yidan_filings gauge"))
        #expect(text.contains(#"yidan_filings{authority="tax""#))
        #expect(text.contains("yidan_http_requests_total{"))
        #expect(text.contains(#"route="/v1/orders""#))
        #expect(text.contains(#"yidan_authority_breaker_state{authority="customs"} 0"#))
        await harness.stop()
    }
}
