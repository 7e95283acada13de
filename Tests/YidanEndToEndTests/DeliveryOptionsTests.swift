import Foundation
import Testing

/// `yidan run` and `yidan worker` share their delivery options and refuse
/// bad ones before touching a store, naming the option.
@Suite struct DeliveryOptionsTests {
    @Test(arguments: [
        (["run", "--gateway", "ftp://gw.example/dxp", "--inbox", "in"], "--gateway: \"ftp://gw.example/dxp\" must be an http:// or https:// URL"),
        (["run", "--gateway", "http://gw.example/dxp"], "give --receipts-port, --inbox or both"),
        (["run", "--gateway", "http://gw.example/dxp", "--inbox", "in", "--lease-seconds", "5", "--timeout-seconds", "10"], "--lease-seconds (5) must exceed --timeout-seconds (10)"),
        (["run", "--gateway", "http://gw.example/dxp", "--inbox", "in", "--tax-endpoint", "gopher://tax"], "--tax-endpoint: \"gopher://tax\" must be an http:// or https:// URL"),
        (["worker", "--store", "yidan.sqlite", "--gateway", "http://gw.example/dxp"], "a worker needs a postgres:// URL"),
        (["worker", "--store", "postgres://u@h/db", "--gateway", "http://gw.example/dxp", "--max-in-flight", "0"], "must be positive"),
    ])
    func refusedWithTheOptionNamed(arguments: [String], message: String) async throws {
        let folder = try Harness.temporaryFolder("delivery-options")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await YidanProcess.run(arguments, folder: folder, name: "options")
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("yidan.sqlite").path))
    }
}
