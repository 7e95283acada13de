import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanStore
import YidanChildProcess

/// The broker's desk in the CLI, through the built `yidan` binary: list
/// filters and paging, receipts import, the explained history, retry rules,
/// resubmit, and watch (plain, table, and in a pseudo-terminal).
@Suite struct DeskCommandTests {
    struct Listed: Decodable {
        struct Filing: Decodable {
            var id, orderNo, kind, status, purpose, authority: String
            var merchant: String?
            var supersedes: String?
            var stuck: Bool?
            var final: Bool
            var lastReturnStatus: String?
            var lastReturnMeaning: [String: String]?
        }
        var filings: [Filing]
        var next: String?
    }

    static func receipt(guid: String, orderNo: String, status: String, info: String) -> Data {
        Data("""
            <CEB312Message xmlns="http://www.chinaport.gov.cn/ceb" guid="\(UUID().uuidString)" version="1.0"><OrderReturn>
            <guid>\(guid)</guid><ebpCode>1</ebpCode><ebcCode>1</ebcCode><orderNo>\(orderNo)</orderNo><returnStatus>\(status)</returnStatus>
            <returnTime>20261129100000000</returnTime><returnInfo>\(info)</returnInfo></OrderReturn></CEB312Message>
            """.utf8)
    }

    func list(_ arguments: [String], store: String, folder: URL, name: String) async throws -> Listed {
        let run = try await YidanProcess.run(["list", "--json", "--store", store] + arguments, folder: folder, name: name)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Listed.self, from: Data(run.stdout.utf8))
    }

    @Test func listFiltersPagesAndFlagsStuckFilings() async throws {
        let folder = try Harness.temporaryFolder("desk-list")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let files = Array(try Harness.orderFiles().prefix(2))
        var merchants: [String: String] = [:]
        for file in files {
            let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
            merchants[order.orderNo] = order.enterprises.ebcCode
            let submit = try await YidanProcess.run(["submit", file.path, "--store", store], folder: folder, name: "submit")
            #expect(submit.status == 0, "\(submit.stderr)")
        }

        let all = try await list([], store: store, folder: folder, name: "all")
        #expect(all.filings.count == 12)
        #expect(all.filings.allSatisfy { $0.merchant == merchants[$0.orderNo] })
        #expect(try await list(["--kind", "CEB311,CEB621"], store: store, folder: folder, name: "kind").filings.count == 4)
        #expect(try await list(["--authority", "tax", "--authority", "fx"], store: store, folder: folder, name: "auth").filings.map(\.authority).sorted() == ["fx", "fx", "tax", "tax"])
        #expect(try await list(["--status", "queued", "--since", "1h"], store: store, folder: folder, name: "recent").filings.count == 12)
        #expect(try await list(["--until", "2020-01-01"], store: store, folder: folder, name: "old").filings.isEmpty)
        let (orderNo, merchant) = try #require(merchants.first)
        let mine = try await list(["--merchant", merchant, "--order", orderNo], store: store, folder: folder, name: "merchant")
        #expect(mine.filings.count == 6)

        // Five at a time, following the cursors: every filing once, in the same order.
        var seen: [String] = []
        var after: String?
        var pages = 0
        repeat {
            let page = try await list(["--limit", "5"] + (after.map { ["--after", $0] } ?? []), store: store, folder: folder, name: "page\(pages)")
            seen += page.filings.map(\.id)
            after = page.next
            pages += 1
        } while after != nil && pages < 10
        #expect(pages == 3)
        #expect(seen == all.filings.map(\.id))

        // Nothing is final yet: with a deadline of 0 minutes every filing is stuck.
        let stuck = try await list(["--stuck", "--deadline", "0"], store: store, folder: folder, name: "stuck")
        #expect(stuck.filings.count == 12 && stuck.filings.allSatisfy { $0.stuck == true })
        #expect(try await list(["--deadline", "600"], store: store, folder: folder, name: "fresh").filings.allSatisfy { $0.stuck == false })
        let table = try await YidanProcess.run(["list", "--deadline", "0", "--limit", "2", "--store", store], folder: folder, name: "table")
        #expect(table.stdout.contains("STUCK"))
        #expect(table.stdout.contains("next page: --after "))

        let bad = try await YidanProcess.run(["list", "--authority", "moon", "--store", store], folder: folder, name: "bad")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--authority"))
    }

    @Test func importExplainRetryResubmitAndWatch() async throws {
        let folder = try Harness.temporaryFolder("desk-flow")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("s.sqlite").path
        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        let submit = try await YidanProcess.run(["submit", file.path, "--store", storePath], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")
        let filings = try await list(["--order", order.orderNo], store: storePath, folder: folder, name: "filings")
        let ceb311 = try #require(filings.filings.first { $0.kind == "CEB311" })

        // Customs refuses the order (100); the same file again is a duplicate; a third names no filing.
        let inbox = folder.appendingPathComponent("receipts", isDirectory: true)
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let refusal = Self.receipt(guid: ceb311.id, orderNo: order.orderNo, status: "100", info: "refused")
        try refusal.write(to: inbox.appendingPathComponent("a.xml"))
        try refusal.write(to: inbox.appendingPathComponent("b.xml"))
        try Self.receipt(guid: "00000000-0000-0000-0000-000000000000", orderNo: "X", status: "2", info: "x")
            .write(to: inbox.appendingPathComponent("c.xml"))
        try Data("not xml".utf8).write(to: inbox.appendingPathComponent("d.xml"))
        let imported = try await YidanProcess.run(["receipts", "import", inbox.path, "--store", storePath], folder: folder, name: "import")
        #expect(imported.stdout.contains("4 files: 1 applied, 1 duplicate, 1 unmatched, 0 tax bills, 1 failed"), "\(imported.stdout)")
        #expect(imported.status == 65)

        let refused = try await list(["--status", "rejected"], store: storePath, folder: folder, name: "refused")
        #expect(refused.filings.map(\.id) == [ceb311.id])
        #expect(refused.filings.first?.lastReturnMeaning?["en"] == "Refused by customs (see the receipt's reason)")
        #expect(refused.filings.first?.lastReturnMeaning?["zh"] == "海关退单")

        let history = try await YidanProcess.run(["status", order.orderNo, "--history", "--store", storePath], folder: folder, name: "history")
        #expect(history.stdout.contains("100: Refused by customs (see the receipt's reason) / 海关退单"), "\(history.stdout)")

        // A refusal of the content is not retried; an unknown id is not found.
        let retry = try await YidanProcess.run(["retry", ceb311.id, "--store", storePath], folder: folder, name: "retry")
        #expect(retry.status == 65)
        #expect(retry.stderr.contains("resubmit"))
        #expect(try await YidanProcess.run(["retry", "NOPE", "--store", storePath], folder: folder, name: "retry-missing").status == 66)

        // A dead filing is.
        let store = try SQLiteFilingStore(path: storePath)
        let claimed = try await store.claimDue(now: Date().addingTimeInterval(3600), limit: 1, lease: .seconds(30))
        let dead = try #require(claimed.first)
        try await store.completeAttempt(
            AttemptRecord(filingID: dead.id, number: 1, startedAt: Date(), httpStatus: 404, latencyMilliseconds: 1, error: "HTTP 404"),
            outcome: .dead(error: "HTTP 404"), now: Date()
        )
        let retryDead = try await YidanProcess.run(["retry", "--all-dead", "--store", storePath], folder: folder, name: "retry-dead")
        #expect(retryDead.stdout.contains("\(dead.id)  \(order.orderNo)"), "\(retryDead.stdout)")
        #expect(try await store.filing(id: dead.id)?.status == .queued)

        // Resubmit: the refused order again as a new version, and its inventory with it.
        let resubmit = try await YidanProcess.run(["resubmit", order.orderNo, "--store", storePath], folder: folder, name: "resubmit")
        #expect(resubmit.status == 0, "\(resubmit.stderr)")
        #expect(resubmit.stdout.contains("2 new versions"))
        #expect(resubmit.stdout.contains("CEB311") && resubmit.stdout.contains("supersedes \(ceb311.id)"))
        let after = try await list(["--order", order.orderNo, "--kind", "CEB311"], store: storePath, folder: folder, name: "after")
        let newVersion = try #require(after.filings.first { $0.supersedes == ceb311.id })
        #expect(newVersion.purpose == "amend" && newVersion.status == "queued")
        let again = try await YidanProcess.run(["resubmit", order.orderNo, "--store", storePath], folder: folder, name: "resubmit-again")
        #expect(again.status == 65)
        #expect(again.stderr.contains("nothing to resubmit"))

        // watch, piped: one line per change, the refusal with its code.
        let lines = try await YidanProcess.run(["watch", "--once", "--store", storePath], folder: folder, name: "watch-plain")
        #expect(lines.status == 0, "\(lines.stderr)")
        #expect(lines.stdout.contains("\(ceb311.id)  new -> queued  (stored)"))
        #expect(lines.stdout.contains("\(ceb311.id)  queued -> rejected  (receipt)  returnStatus 100"))
        #expect(lines.stdout.contains("\(dead.id)  dead -> queued  (retry)"))
        #expect(!lines.stdout.contains("\u{1B}["))
        let onlyRejected = try await YidanProcess.run(["watch", "--once", "--status", "rejected", "--store", storePath], folder: folder, name: "watch-rejected")
        #expect(onlyRejected.stdout.split(separator: "\n").count == 1)

        // watch in a pseudo-terminal: a coloured table, the refusal in red.
        let binary = try Harness.yidanBinary().path
        let script = try ChildProcess.run("/usr/bin/script", ["-qec", "\(binary) watch --once --store \(storePath)", "/dev/null"], directory: folder.path)
        let screen = script.stdout
        #expect(script.status == 0, "\(screen)")
        #expect(screen.contains("yidan watch"))
        #expect(screen.contains("\u{1B}[31m\(order.orderNo)"), "the rejected row is red")
        #expect(screen.contains("customs"))
    }
}
