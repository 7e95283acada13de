import Foundation
import Testing
import YidanCore
import YidanRouter
import YidanIngest
import YidanStore

/// `yidan ingest` as a merchant runs it: the real binary on real files, pipes and SQLite stores.
@Suite struct IngestCommandTests {
    @Test func jsonLinesAcceptsRefusesAndReportsEveryReason() async throws {
        let folder = try Harness.temporaryFolder("ingest-jsonl")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try IngestInput.variants(6)
        let broken = try IngestInput.fixture(0).setting("/items/0/gcode", "12345").setting("/orderNo", "BAD-1")
        let lines = orders.map(IngestInput.line) + ["", "{\"orderNo\": \"X\",, }", IngestInput.line(broken), IngestInput.line(orders[0])]
        try IngestInput.write(lines, to: folder.appendingPathComponent("orders.jsonl"))
        let good = folder.appendingPathComponent("good.jsonl")
        try IngestInput.write(orders.map(IngestInput.line), to: good)
        let store = folder.appendingPathComponent("s.sqlite").path

        let run = try await YidanProcess.run(["ingest", "orders.jsonl", "--store", store, "--jobs", "3"], folder: folder, name: "ingest")
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stdout.contains("ingested 9 orders"))
        #expect(run.stdout.contains("6 accepted, 1 already accepted, 2 refused"), "\(run.stdout)")
        // Not a terminal: plain progress lines on stderr, ending with the final one.
        #expect(run.stderr.contains("ingest: 9 orders"))
        #expect(run.stderr.contains("(done)"))
        #expect(run.stderr.contains("2 of 9 orders refused"))

        // The report names each refused order by line, number and pointer.
        let report = try IngestInput.report(folder.appendingPathComponent("yidan-ingest-report.json"))
        let refused = try #require(report["refused"] as? [[String: Any]])
        #expect(refused.map { $0["location"] as? String } == ["orders.jsonl:8", "orders.jsonl:9"])
        let syntax = try #require((refused[0]["issues"] as? [[String: Any]])?.first)
        #expect((syntax["rule"] as? String)?.hasPrefix("is not valid JSON: column 17:") == true)
        #expect(refused[1]["orderNo"] as? String == "BAD-1")
        let pointers = (refused[1]["issues"] as? [[String: Any]])?.compactMap { $0["pointer"] as? String } ?? []
        #expect(pointers.contains("/items/0/gcode"))
        #expect((report["counts"] as? [String: Int])?["accepted"] == 6)
        #expect(report["completed"] as? Bool == true)
        // And the table at the end of the output shows the same.
        #expect(run.stdout.contains("orders.jsonl:9"))
        #expect(run.stdout.contains("/items/0/gcode"))

        let filings = try await Harness.allFilings(SQLiteFilingStore(path: store))
        #expect(filings.count == 6 * OrderIntake.importFilings.count)
        #expect(Set(filings.map(\.orderNo)) == Set(orders.map(\.orderNo)))

        let everything = run.stdout + run.stderr + (try String(contentsOf: folder.appendingPathComponent("yidan-ingest-report.json"), encoding: .utf8))
        for order in orders + [try NormalizedOrderJSON.decode(IngestInput.fixture(0).data)] {
            for secret in [order.buyer.name, order.buyer.idNumber, order.buyer.phone, order.consignee.address] {
                #expect(!everything.contains(secret))
            }
        }

        // The same orders again: nothing filed twice, and with nothing refused the exit status is 0.
        let again = try await YidanProcess.run(["ingest", good.path, "--store", store, "--progress", "none"], folder: folder, name: "again")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 accepted, 6 already accepted, 0 refused"))
        #expect(try await Harness.allFilings(SQLiteFilingStore(path: store)).count == 6 * OrderIntake.importFilings.count)
    }

    @Test func dryRunOverAFolderOfJSONAndCSVStoresNothing() async throws {
        let folder = try Harness.temporaryFolder("ingest-dry-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = try IngestInput.variants(6, from: 100)
        let input = folder.appendingPathComponent("in", isDirectory: true)
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try IngestInput.write(["[" + orders[0...1].map(IngestInput.line).joined(separator: ",") + "]"], to: input.appendingPathComponent("a.json"))
        try Data(NormalizedOrderCSV.encode(Array(orders[2...3])).utf8).write(to: input.appendingPathComponent("b.csv"))
        try IngestInput.write(orders[4...5].map(IngestInput.line), to: input.appendingPathComponent("c.jsonl"))
        let store = folder.appendingPathComponent("s.sqlite")

        // No store yet: the dry run must not create one.
        let first = try await YidanProcess.run(["ingest", "in", "--dry-run", "--store", store.path], folder: folder, name: "dry")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("dry run, nothing stored: 6 orders"))
        #expect(first.stdout.contains("6 would be accepted, 0 already accepted, 0 refused"), "\(first.stdout)")
        #expect(!FileManager.default.fileExists(atPath: store.path))

        // With a store holding one of the orders: that one is known, nothing is added.
        let single = folder.appendingPathComponent("one.json")
        try IngestInput.write([IngestInput.line(orders[2])], to: single)
        let submit = try await YidanProcess.run(["submit", single.path, "--store", store.path], folder: folder, name: "submit")
        #expect(submit.status == 0, "\(submit.stderr)")
        let second = try await YidanProcess.run(["ingest", "in", "--dry-run", "--store", store.path, "--report", "dry.json"], folder: folder, name: "dry2")
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("5 would be accepted, 1 already accepted"))
        let filings = try await Harness.allFilings(SQLiteFilingStore(path: store.path))
        #expect(filings.count == OrderIntake.importFilings.count)
        #expect(Set(filings.map(\.orderNo)) == [orders[2].orderNo])
        #expect(try IngestInput.report(folder.appendingPathComponent("dry.json"))["mode"] as? String == "dry-run")
    }

    @Test func standardInputAndExitStatuses() async throws {
        let folder = try Harness.temporaryFolder("ingest-stdin")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("s.sqlite").path
        let orders = try IngestInput.variants(3, from: 200)
        let child = try YidanProcess(arguments: ["ingest", "-", "--store", store], folder: folder, name: "stdin")
        try child.start(stdin: .pipe)
        let input = try #require(child.standardInput)
        try input.write(contentsOf: Data((orders.map(IngestInput.line).joined(separator: "\n") + "\n").utf8))
        try input.close()
        await child.waitForExit()
        #expect(child.terminationStatus == 0, "\(child.stderr)")
        #expect(child.stdout.contains("3 accepted"))
        #expect(try await Harness.allFilings(SQLiteFilingStore(path: store)).count == 3 * OrderIntake.importFilings.count)

        let missing = try await YidanProcess.run(["ingest", "nowhere.jsonl", "--store", store], folder: folder, name: "missing")
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("nowhere.jsonl: no such file or folder"))
        try IngestInput.write(["{}"], to: folder.appendingPathComponent("orders.txt"))
        let unknown = try await YidanProcess.run(["ingest", "orders.txt", "--store", store], folder: folder, name: "unknown")
        #expect(unknown.status == 66)
        try IngestInput.write([IngestInput.line(orders[0])], to: folder.appendingPathComponent("one.jsonl"))
        let noReport = try await YidanProcess.run(["ingest", "one.jsonl", "--store", store, "--report", "/proc/yidan/report.json"], folder: folder, name: "no-report")
        #expect(noReport.status == 73)
    }

    /// With the merchant's files, payloads go through the platform engine
    /// (detect, extract, assemble) and the project's own JSON can be mixed in.
    @Test func platformPayloadsAreDetectedAndJoinedWithTheMerchantFiles() async throws {
        let folder = try Harness.temporaryFolder("ingest-platform")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in", isDirectory: true)
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let shopify = Harness.packageRoot.appendingPathComponent("../shared/reference/orders/shopify/shopify_python_api__order.json")
        try FileManager.default.copyItem(at: shopify, to: input.appendingPathComponent("shopify.json"))
        try IngestInput.write([IngestInput.line(try IngestInput.variants(1, from: 300)[0])], to: input.appendingPathComponent("yidan.jsonl"))
        try IngestInput.write(["{\"hello\": \"world\"}"], to: input.appendingPathComponent("stray.json"))
        let merchant = Harness.packageRoot.appendingPathComponent("Fixtures/merchant")
        let run = try await YidanProcess.run([
            "ingest", "in", "--dry-run", "--store", folder.appendingPathComponent("s.sqlite").path,
            "--profile", merchant.appendingPathComponent("profile.yaml").path,
            "--catalog", merchant.appendingPathComponent("catalog.csv").path,
            "--identities", merchant.appendingPathComponent("identities.csv").path,
            "--rates", Harness.packageRoot.appendingPathComponent("../shared/reference/filings/ecb/eurofxref-daily_2025-05-09.xml").path,
            "--rate-date", "2025-05-09",
        ], folder: folder, name: "platform")
        let report = try IngestInput.report(folder.appendingPathComponent("yidan-ingest-report.json"))
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["orders"] == 3, "\(run.stdout)\n\(run.stderr)")
        let refused = try #require(report["refused"] as? [[String: Any]])
        // The stray document is no order of any platform; the normalized order passes.
        #expect(refused.contains { $0["location"] as? String == "in/stray.json" })
        #expect(!refused.contains { ($0["location"] as? String)?.hasPrefix("in/yidan.jsonl") == true })
        // The Shopify order was read as one (its number is known) whether or not the merchant's files complete it.
        let shopifyRefusal = refused.first { $0["location"] as? String == "in/shopify.json" }
        #expect(shopifyRefusal == nil ? counts["checked"] == 2 : shopifyRefusal?["orderNo"] as? String == "1001")
        #expect(run.status == (refused.isEmpty ? 0 : 65))
    }

    /// Reader + normalizer over 100,000 orders (JSON Lines on a pipe, validate-only:
    /// no tax, mapping or store): the child's resident memory after 100,000 orders
    /// stays within 20 MB of what it was after 10,000. About 25-30 s in a debug build on 2 cores.
    @Test func hundredThousandOrdersStreamWithFlatMemory() async throws {
        let folder = try Harness.temporaryFolder("ingest-memory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let child = try YidanProcess(
            arguments: ["ingest", "-", "--validate-only", "--store", folder.appendingPathComponent("s.sqlite").path,
                        "--progress", "lines", "--progress-every", "10000"],
            folder: folder, name: "memory"
        )
        try child.start(stdin: .pipe)
        let template = IngestInput.line(try IngestInput.fixture(2).setting("/orderNo", "@ORDER@").setting("/buyer/idNumber", "@ID@"))
        // Cut once, so the feeder only concatenates (it shares the 2 cores with the child).
        let pieces = template.components(separatedBy: "@ORDER@").flatMap { $0.components(separatedBy: "@ID@") }
        try #require(pieces.count == 3)
        let writer = try #require(child.standardInput)
        let started = ContinuousClock.now
        let feeder = Thread {
            for block in 0..<100 {
                var text = ""
                for index in block * 1000..<(block + 1) * 1000 {
                    text += pieces[0] + "M\(index)" + pieces[1] + IngestInput.idNumber(index) + pieces[2] + "\n"
                }
                try? writer.write(contentsOf: Data(text.utf8))
            }
            try? writer.close()
        }
        feeder.start()
        await child.waitForExit()
        print("100,000 orders validated in \(ContinuousClock.now - started)")
        #expect(child.terminationStatus == 0, "\(child.stderr.suffix(2000))")
        #expect(child.stdout.contains("validated 100000 orders"))
        let memory = IngestInput.memoryByOrders(child.stderr)
        // Lines come every 10,000 orders or every few seconds, whichever is first, so
        // under load the first line past 10,000 may be at another count.
        let early = try #require(memory.filter { $0.key >= 10_000 }.min { $0.key < $1.key }?.value, "\(memory)")
        let late = try #require(memory[100_000], "\(memory)")
        print("resident memory: \(early) MB after 10,000 orders, \(late) MB after 100,000")
        #expect(late - early < 20)
    }
}

/// Inputs for the ingest tests, built from the fixture orders.
enum IngestInput {
    static func fixture(_ index: Int) throws -> JSONValue {
        try NormalizedOrderJSON.parser.parse(Data(contentsOf: Harness.orderFiles()[index]))
    }

    /// `count` orders cycling through the fixtures, each with its own number and buyer.
    static func variants(_ count: Int, from first: Int = 0) throws -> [NormalizedOrder] {
        let files = try Harness.orderFiles()
        return try (first..<first + count).map { index in
            var order = try NormalizedOrderJSON.decode(Data(contentsOf: files[index % files.count]))
            order.orderNo = "V\(index)-" + order.orderNo.suffix(4)  // CEB621 copNo allows 20 characters
            order.buyer.idNumber = idNumber(index)
            return order
        }
    }

    static func line(_ order: NormalizedOrder) -> String {
        compact(String(decoding: NormalizedOrderJSON.encode(order), as: UTF8.self))
    }

    static func line(_ value: JSONValue) -> String {
        compact(String(decoding: value.serialized(), as: UTF8.self))
    }

    /// Pretty JSON on one line: the fixtures' strings hold no line breaks.
    private static func compact(_ text: String) -> String {
        text.split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
    }

    static func write(_ lines: [String], to url: URL) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    static func report(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// A distinct valid mainland ID number per index.
    static func idNumber(_ index: Int) -> String {
        let day = index / 1000
        let first17 = "110101" + String(format: "%04d%02d%02d%03d", 1960 + (day / 336) % 40, 1 + (day / 28) % 12, 1 + day % 28, index % 1000)
        return first17 + String(MainlandIDNumber.checkCharacter(forFirst17: first17) ?? "0")
    }

    /// `ingest: 10000 orders, …, memory 51 MB` lines → [10000: 51].
    static func memoryByOrders(_ stderr: String) -> [Int: Int] {
        var memory: [Int: Int] = [:]
        for line in stderr.split(separator: "\n") where line.hasPrefix("ingest: ") {
            let parts = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let orders = parts.first.flatMap({ Int($0.split(separator: " ")[1]) }),
                  let rss = parts.first(where: { $0.hasPrefix("memory ") }).flatMap({ Int($0.split(separator: " ")[1]) })
            else { continue }
            memory[orders] = memory[orders] ?? rss
        }
        return memory
    }
}

extension JSONValue {
    /// Sets the member at a JSON pointer of object keys and array indexes (which must exist but for the last key).
    func setting(_ pointer: String, _ text: String) -> JSONValue {
        setting(pointer.split(separator: "/").map(String.init)[...], .string(text))
    }

    private func setting(_ path: ArraySlice<String>, _ value: JSONValue) -> JSONValue {
        guard let head = path.first else { return value }
        switch self {
        case var .object(members):
            if let index = members.firstIndex(where: { $0.key == head }) {
                members[index].value = members[index].value.setting(path.dropFirst(), value)
            } else {
                members.append((head, JSONValue.object([]).setting(path.dropFirst(), value)))
            }
            return .object(members)
        case var .array(values):
            guard let index = Int(head), values.indices.contains(index) else { return self }
            values[index] = values[index].setting(path.dropFirst(), value)
            return .array(values)
        default:
            return self
        }
    }

    var data: Data { Data(serialized()) }
}
