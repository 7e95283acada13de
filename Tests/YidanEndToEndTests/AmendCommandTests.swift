import Foundation
import Testing
import YidanCore
import YidanIngest

/// `yidan amend` as a merchant runs it, and `yidan status` showing the versions.
@Suite struct AmendCommandTests {
    @Test func amendFilesNewVersionsAndStatusShowsThem() async throws {
        let folder = try Harness.temporaryFolder("cli-amend")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        let submit = try await YidanProcess.run(["submit", file.path, "--store", store], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")

        // A new consignee phone: the order, the waybill and the inventory state it.
        var amended = order
        amended.consignee.phone = "13900009999"
        let amendedFile = folder.appendingPathComponent("amended.json")
        try NormalizedOrderJSON.encode(amended).write(to: amendedFile)
        let amend = try await YidanProcess.run(["amend", amendedFile.path, "--store", store], folder: folder, name: "amend")
        #expect(amend.status == 0, "\(amend.stderr)")
        #expect(amend.stdout.contains("amendment of \(order.orderNo) filed"))
        #expect(amend.stdout.contains("unchanged, not re-filed: CEB411, TAX-IMPORT, FX-PAYMENT"))
        #expect(amend.stdout.components(separatedBy: " supersedes ").count == 4)
        #expect(!amend.stdout.contains("13900009999"))

        let again = try await YidanProcess.run(["amend", amendedFile.path, "--store", store], folder: folder, name: "again")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("nothing to amend"))

        let status = try await YidanProcess.run(["status", order.orderNo, "--history", "--store", store], folder: folder, name: "status")
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("(3 superseded versions not shown"))
        #expect(status.stdout.components(separatedBy: ", superseded by ").count == 4)
        #expect(status.stdout.components(separatedBy: " v2, amends ").count == 4)

        // Identities stay: a new waybill number is a new order.
        var moved = order
        moved.logistics.waybillNo = "STX0000000000CN"
        let movedFile = folder.appendingPathComponent("moved.json")
        try NormalizedOrderJSON.encode(moved).write(to: movedFile)
        let refused = try await YidanProcess.run(["amend", movedFile.path, "--store", store], folder: folder, name: "refused")
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("/logistics/waybillNo"))

        var unknown = order
        unknown.orderNo = "NO-SUCH-ORDER"
        let unknownFile = folder.appendingPathComponent("unknown.json")
        try NormalizedOrderJSON.encode(unknown).write(to: unknownFile)
        let missing = try await YidanProcess.run(["amend", unknownFile.path, "--store", store], folder: folder, name: "missing")
        #expect(missing.status == 66)
    }
}
