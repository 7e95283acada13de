import Foundation
import Testing
import YidanServer
import YidanStore
import YidanChildProcess

/// `yidan keys`, the real binary on the server's store: the key printed once
/// works against the running server, only its hash is stored, and a revoked
/// key is refused.
@Suite("yidan keys")
struct KeysCommandTests {
    static func yidan() throws -> URL {
        var candidates = [ServerHarness.packageRoot.appendingPathComponent(".build/debug/yidan")]
        if let first = CommandLine.arguments.first {
            var folder = URL(fileURLWithPath: first).deletingLastPathComponent()
            for _ in 0..<3 {
                candidates.insert(folder.appendingPathComponent("yidan"), at: 0)
                folder = folder.deletingLastPathComponent()
            }
        }
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "no yidan executable built")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = try ChildProcess.run(try yidan().path, arguments)
        return (process.status, process.stdout)
    }

    @Test("keys add prints a key once that the server accepts; keys revoke ends it")
    func addAndRevoke() async throws {
        let harness = try await ServerHarness.start("keys")
        let store = harness.folder.appendingPathComponent("yidan.sqlite").path
        let added = try Self.run(["keys", "add", "--role", "broker", "--subject", "4401980B09", "--merchants", ServerHarness.merchantA, "--store", store])
        #expect(added.status == 0)
        let key = added.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("yd_") && key.count == 67)
        let record = try #require(try await harness.store.apiKey(hash: APIKey.hash(key)))
        #expect(record.role == .broker && record.merchants == [ServerHarness.merchantA])
        #expect(try await harness.request("GET", "/v1/filings", key: key).status == 200)

        let listed = try Self.run(["keys", "list", "--store", store])
        #expect(listed.status == 0 && listed.output.contains("4401980B09") && !listed.output.contains(key))
        #expect(try Self.run(["keys", "revoke", String(record.id), "--store", store]).status == 0)
        #expect(try await harness.request("GET", "/v1/filings", key: key).status == 401)
        // A broker key must name its merchants.
        #expect(try Self.run(["keys", "add", "--role", "broker", "--subject", "X", "--store", store]).status != 0)
        await harness.stop()
    }
}
