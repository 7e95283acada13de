import Foundation
import Testing
import YidanChildProcess
import YidanCore
import YidanStore

/// An order answered 202 (`Prefer: respond-async`) survives `kill -9` of
/// `yidan serve` and is filed exactly once after the restart.
@Suite("Acknowledged orders survive kill -9", .serialized)
struct AsyncAcceptCrashTests {
    static let orders = 30

    static func body(_ index: Int) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Harness.orders.appendingPathComponent("milk-powder-9610.json"))) as? [String: Any])
        object["orderNo"] = "CRASH-\(index)"
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func serve(_ folder: URL, port: Int, name: String) throws -> YidanProcess {
        let child = try YidanProcess(
            arguments: ["serve", "--simulator", "--port", "\(port)", "--store", folder.appendingPathComponent("yidan.sqlite").path, "--log-level", "error"],
            folder: folder, name: name
        )
        try child.start()
        return child
    }

    @Test("30 orders acknowledged, the server killed at once, restarted: each filed once, six filings each")
    func acknowledgedOrdersSurviveAndFileOnce() async throws {
        let folder = try Harness.temporaryFolder("async-crash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = try LoopbackPort.free()
        let first = try Self.serve(folder, port: port, name: "serve-1")
        var key = ""
        let started = await Harness.eventually(timeout: .seconds(60)) {
            let out = first.stdout
            if out.contains("yidan serve: http://"), let line = out.split(separator: "\n").first(where: { $0.hasPrefix("admin key (shown once): ") }) {
                key = String(line.dropFirst("admin key (shown once): ".count))
                return true
            }
            return false
        }
        try #require(started, "serve did not start: \(first.stderr)")

        // One curl process, one connection, the orders back to back: the kill
        // follows the last 202 at once, while the preparer is still pacing itself.
        var arguments: [String] = []
        for index in 0..<Self.orders {
            let file = folder.appendingPathComponent("order-\(index).json")
            try Self.body(index).write(to: file)
            if index > 0 { arguments.append("--next") }
            arguments += [
                "-s", "-o", "/dev/null", "-w", "%{http_code}\\n", "-X", "POST",
                "-H", "Authorization: Bearer \(key)", "-H", "Prefer: respond-async", "-H", "Content-Type: application/json",
                "--data-binary", "@\(file.path)", "http://127.0.0.1:\(port)/v1/orders",
            ]
        }
        let posts = try ChildProcess.run("/usr/bin/curl", arguments)
        let codes = posts.stdout.split(separator: "\n")
        try #require(codes.count == Self.orders && codes.allSatisfy { $0 == "202" }, "HTTP \(codes) \(posts.stderr)")
        first.kill(SIGKILL)
        await first.waitForExit()
        #expect(first.endedBySignal)

        // Every acknowledged order is on disk; some were not filed yet when the process died.
        let storePath = folder.appendingPathComponent("yidan.sqlite").path
        let afterCrash = try SQLiteFilingStore(path: storePath)
        let counts = try await afterCrash.queueCounts()
        #expect(counts.values.reduce(0, +) == Self.orders, "\(counts)")
        #expect((counts[.waiting] ?? 0) > 0, "the kill came after every order was filed: \(counts)")
        // What the merchant sees meanwhile, for an order not filed yet. (A row
        // can also say waiting for an order filed just before the kill: its
        // filings show, and the restart only marks it.)
        var unfiled: QueuedOrder?
        for candidate in try await afterCrash.waitingOrders(limit: Self.orders) where try await afterCrash.filings(orderNo: candidate.orderNo).isEmpty {
            unfiled = candidate
            break
        }
        if let waiting = unfiled {
            let status = try await YidanProcess.run(["status", waiting.orderNo, "--store", storePath], folder: folder, name: "status-waiting")
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("order \(waiting.orderNo): accepted") && status.stdout.contains("waiting to be filed"), "\(status.stdout)")
        }

        let second = try Self.serve(folder, port: try LoopbackPort.free(), name: "serve-2")
        defer { second.kill(SIGKILL) }
        let allFiled = try await Harness.eventually(timeout: .seconds(120), every: .milliseconds(200)) {
            try await afterCrash.queueCounts()[.filed] == Self.orders
        }
        let finalCounts = try await afterCrash.queueCounts()
        #expect(allFiled, "\(finalCounts) \(second.stderr.suffix(500))")
        for index in 0..<Self.orders {
            let kinds = try await afterCrash.filings(orderNo: "CRASH-\(index)").map(\.kind)
            #expect(kinds.count == 6 && Set(kinds).count == 6, "CRASH-\(index): \(kinds.map(\.rawValue))")
        }
    }
}
