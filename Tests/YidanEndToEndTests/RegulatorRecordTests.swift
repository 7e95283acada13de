import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanSimulator
import YidanStore
import YidanChildProcess

/// Personal data at rest, the audit trail and key rotation, through the
/// built `yidan` binary: an order filed to release, its record exported for
/// a regulator, the trail verified and then caught when edited.
@Suite struct RegulatorRecordTests {
    @Test func sealedAtRestAuditedExportedAndRekeyed() async throws {
        let folder = try Harness.temporaryFolder("regulator")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("yidan.sqlite").path
        let inbox = folder.appendingPathComponent("inbox", isDirectory: true)
        let simulator = try AuthoritySimulator(configuration: SimulatorConfiguration(
            stepDelay: .milliseconds(50), inboxDirectory: inbox,
            schemaURL: SimulatorConfiguration.importSchema(inMappings: Harness.mappings)
        ))
        let base = try await simulator.start()

        let file = try #require(try Harness.orderFiles().first)
        let order = try NormalizedOrderJSON.decode(Data(contentsOf: file))
        let submit = try await YidanProcess.run(["submit", file.path, "--store", storePath], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")

        let run = try YidanProcess(
            arguments: ["run", "--gateway", base.absoluteString + "/dxp/messages", "--inbox", inbox.path, "--store", storePath, "--log-level", "warning"],
            folder: folder, name: "run"
        )
        try run.start()
        let store = try SQLiteFilingStore(path: storePath)
        let done = try await Harness.eventually(timeout: .seconds(60)) {
            let filings = try await Harness.allFilings(store)
            return filings.count == 6 && filings.allSatisfy(Harness.isFinal)
        }
        run.kill(SIGTERM)
        await run.waitForExit()
        await simulator.stop()
        #expect(done, "run: \(run.stderr)")

        // On disk (database, WAL) the buyer's ID number, name and phone are nowhere.
        var disk = Data()
        for suffix in ["", "-wal"] { disk.append((try? Data(contentsOf: URL(fileURLWithPath: storePath + suffix))) ?? Data()) }
        for secret in [order.buyer.idNumber, order.buyer.name, order.buyer.phone] {
            #expect(disk.range(of: Data(secret.utf8)) == nil, "a \(secret.count)-character personal value is on disk in the clear")
        }

        let verify = try await YidanProcess.run(["audit", "verify", "--store", storePath], folder: folder, name: "verify")
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("audit trail intact: "))

        // The regulator's folder: exact bytes whose digests are the trail's.
        let out = folder.appendingPathComponent("export")
        let export = try await YidanProcess.run(["audit", "export", order.orderNo, "--out", out.path, "--store", storePath], folder: folder, name: "export")
        #expect(export.status == 0, "\(export.stderr)")
        let exportedOrder = try Data(contentsOf: out.appendingPathComponent("order.json"))
        #expect(try NormalizedOrderJSON.decode(exportedOrder).buyer.idNumber == order.buyer.idNumber)
        let entries = try JSONDecoder().decode([AuditEntry].self, from: Data(contentsOf: out.appendingPathComponent("audit.json")))
        let accepted = Dictionary(uniqueKeysWithValues: entries.filter { $0.event == .accepted }.compactMap { e in e.filingID.map { ($0, e.digest) } })
        #expect(accepted.count == 6)
        let filingFiles = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("filings").path)
        #expect(filingFiles.count == 6)
        for name in filingFiles {
            // KIND-GUID.xml, where a kind may hold a '-' (TAX-IMPORT): the guid is the last 36 characters.
            let id = String(name.dropLast(4).suffix(36))
            let bytes = try Data(contentsOf: out.appendingPathComponent("filings").appendingPathComponent(name))
            #expect(AuditEntry.digest(bytes) == accepted[id], "\(name)")
        }
        #expect(entries.filter { $0.event == .sent }.count >= 6)
        #expect(entries.filter { $0.event == .received }.count >= 6)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("receipts").path).count >= 6)

        // Rotation: a new key first, rekey, old key gone; everything still reads.
        let keyFile = URL(fileURLWithPath: storePath + ".key")
        let newLine = try await YidanProcess.run(["rekey", "--new-key-line", "k2"], folder: folder, name: "newkey")
        let oldText = try String(contentsOf: keyFile, encoding: .utf8)
        try (newLine.stdout + oldText).write(to: keyFile, atomically: true, encoding: .utf8)
        let rekey = try await YidanProcess.run(["rekey", "--store", storePath], folder: folder, name: "rekey")
        #expect(rekey.status == 0 && rekey.stdout.hasPrefix("re-sealed 7 values"), "\(rekey.stdout) \(rekey.stderr)")
        try newLine.stdout.write(to: keyFile, atomically: true, encoding: .utf8)
        let again = folder.appendingPathComponent("export-again")
        let reexport = try await YidanProcess.run(["audit", "export", order.orderNo, "--out", again.path, "--store", storePath], folder: folder, name: "export2")
        #expect(reexport.status == 0, "\(reexport.stderr)")
        #expect(try Data(contentsOf: again.appendingPathComponent("order.json")) == exportedOrder)

        // Someone edits one entry of the trail with another SQLite client: verify names it and exits 65.
        let edit = try ChildProcess.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE audit_trail SET detail = 'CEB311 declare (edited)' WHERE seq = 1"); c.commit()
            """, storePath])
        #expect(edit.status == 0, "\(edit.stderr)")
        let broken = try await YidanProcess.run(["audit", "verify", "--store", storePath], folder: folder, name: "verify2")
        #expect(broken.status == 65, "\(broken.stdout)")
        #expect(broken.stderr.contains("broken at entry 1"), "\(broken.stderr)")
    }
}
