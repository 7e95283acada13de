import Foundation
import Testing
import YidanCore
import YidanIngest

/// The CLI as a merchant and a broker use it, as a real child process.
@Suite struct CommandLineTests {
    @Test func refusedOrderNamesEveryProblemByPointerAndExits65() async throws {
        let folder = try Harness.temporaryFolder("cli-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = Harness.orders.appendingPathComponent("invalid/many-errors.json")
        let result = try await YidanProcess.run(["submit", bad.path, "--store", folder.appendingPathComponent("s.sqlite").path], folder: folder, name: "submit")
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        // Several problems, each on its own line starting with a JSON pointer.
        let problemLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("  /") }
        #expect(problemLines.count >= 3, "\(result.stderr)")
        #expect(result.stderr.contains("/items/0/gcode"))
    }

    @Test func statusAndListShowFilingsButNoPersonalData() async throws {
        let folder = try Harness.temporaryFolder("cli-status")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))

        let submit = try await YidanProcess.run(["submit", file.path, "--store", store], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.contains("accepted \(order.orderNo)"))
        for kind in MessageKind.allCases { #expect(submit.stdout.contains(kind.rawValue)) }

        let status = try await YidanProcess.run(["status", order.orderNo, "--store", store, "--history"], folder: folder, name: "status")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.components(separatedBy: "queued").count - 1 >= 4)

        let list = try await YidanProcess.run(["list", "--status", "queued", "--store", store], folder: folder, name: "list")
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").count == 5)  // header + 4 filings
        let rejected = try await YidanProcess.run(["list", "--status", "rejected", "--store", store], folder: folder, name: "list-rejected")
        #expect(rejected.stdout.contains("no filings with status rejected"))

        let everything = submit.stdout + submit.stderr + status.stdout + status.stderr + list.stdout
        for secret in [order.buyer.name, order.buyer.idNumber, order.buyer.phone, order.consignee.name, order.consignee.phone, order.consignee.address] {
            #expect(!everything.contains(secret))
        }

        let missing = try await YidanProcess.run(["status", "NO-SUCH-ORDER", "--store", store], folder: folder, name: "missing")
        #expect(missing.status == 66)
        let badStatus = try await YidanProcess.run(["list", "--status", "lost", "--store", store], folder: folder, name: "bad-status")
        #expect(badStatus.status != 0)
        #expect(badStatus.stderr.contains("--status"))
    }
}
