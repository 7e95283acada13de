import Foundation
import Testing
import YidanCore
import YidanIngest

/// `yidan cancel` and `yidan return` as a merchant runs them.
@Suite struct ChangeCommandTests {
    @Test func refusalsNameTheReasonAndExitWithTheirCode() async throws {
        let folder = try Harness.temporaryFolder("cli-change")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        let submit = try await YidanProcess.run(["submit", file.path, "--store", store], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")

        // Nothing delivered yet: customs has not numbered the inventory, so CEB623 cannot name it.
        let cancel = try await YidanProcess.run(["cancel", order.orderNo, "--reason", "buyer withdrew", "--store", store], folder: folder, name: "cancel")
        #expect(cancel.status == 65)
        #expect(cancel.stderr.contains("not numbered"))
        #expect(!cancel.stderr.contains(order.buyer.idNumber))

        let ret = try await YidanProcess.run(["return", order.orderNo, "--reason", "damaged", "--store", store], folder: folder, name: "return")
        #expect(ret.status == 65)
        #expect(ret.stderr.contains("not released"))

        let missing = try await YidanProcess.run(["return", "NO-SUCH-ORDER", "--reason", "x", "--store", store], folder: folder, name: "missing")
        #expect(missing.status == 66)

        let noReason = try await YidanProcess.run(["cancel", order.orderNo, "--store", store], folder: folder, name: "no-reason")
        #expect(noReason.status != 0)
        #expect(noReason.stderr.contains("--reason"))
    }
}
