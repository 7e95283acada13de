import Foundation
import Testing
import YidanCore
@testable import YidanStore

@Suite("SealedFilingStore: personal data encrypted at rest")
struct SealedStoreTests {
    static let buyerName = "张三丰"
    static let idNumber = "110101199003071234"

    static func submission(_ orderNo: String) -> OrderSubmission {
        var submission = Fixture.submission(orderNo, kinds: [.ceb311, .ceb621])
        submission.orderJSON = Data(#"{"orderNo":"\#(orderNo)","buyer":{"name":"\#(buyerName)","idNumber":"\#(idNumber)"}}"#.utf8)
        submission.filings = submission.filings.map { filing in
            var copy = filing
            copy.payload = Data("<ceb:Order><ceb:buyerName>\(buyerName)</ceb:buyerName><ceb:buyerIdNumber>\(idNumber)</ceb:buyerIdNumber></ceb:Order>".utf8)
            return copy
        }
        return submission
    }

    static func ring(_ lines: String...) throws -> DataKeyRing {
        try DataKeyRing(lines: lines.joined(separator: "\n"), source: "test")
    }

    /// Every byte of the SQLite file and its WAL, as the disk holds them.
    static func diskBytes(_ folder: borrowing TemporaryStoreFolder) throws -> Data {
        var all = Data()
        for suffix in ["", "-wal"] {
            let url = URL(fileURLWithPath: folder.path + suffix)
            if let data = try? Data(contentsOf: url) { all.append(data) }
        }
        return all
    }

    @Test("the real values read back through the store; the database file holds none of them")
    func sealedOnDisk() async throws {
        let folder = try TemporaryStoreFolder()
        let keys = try Self.ring(DataKeyRing.newKeyLine(id: "k1"))
        let store = SealedFilingStore(base: try folder.open(), sealer: PersonalDataSealer(keys: keys))
        let submission = Self.submission("ORDER-S1")
        _ = try await store.accept(submission)

        #expect(try await store.orderJSON(orderNo: "ORDER-S1") == submission.orderJSON)
        let filings = try await store.filings(orderNo: "ORDER-S1")
        #expect(filings.map(\.payload) == submission.filings.map(\.payload))
        let claimed = try await store.claimDue(now: Fixture.t0, limit: 10, lease: .seconds(30))
        #expect(claimed.first?.payload == submission.filings.first?.payload)

        let disk = try Self.diskBytes(folder)
        #expect(!disk.isEmpty)
        for secret in [Self.idNumber, Self.buyerName] {
            #expect(disk.range(of: Data(secret.utf8)) == nil, "\(secret.count)-character secret found on disk")
        }
        // The backend on its own sees only sealed values, tagged with the key id.
        let raw = try #require(try await store.base.orderJSON(orderNo: "ORDER-S1"))
        #expect(PersonalDataSealer.keyID(of: raw) == "k1")
    }

    @Test("a sealed value moved into another row, or edited, does not open")
    func tamperAndSwap() throws {
        let sealer = PersonalDataSealer(keys: try Self.ring(DataKeyRing.newKeyLine(id: "k1")))
        let sealed = try sealer.seal(Data("secret".utf8), context: "order:A")
        #expect(try sealer.open(sealed, context: "order:A") == Data("secret".utf8))
        #expect(throws: YidanError.self) { try sealer.open(sealed, context: "order:B") }
        var edited = sealed
        edited[edited.count - 20] ^= 0x01
        #expect(throws: YidanError.self) { try sealer.open(edited, context: "order:A") }
        let stranger = PersonalDataSealer(keys: try Self.ring(DataKeyRing.newKeyLine(id: "k9")))
        let error = #expect(throws: YidanError.self) { try stranger.open(sealed, context: "order:A") }
        #expect(error?.message.contains("'k1'") == true)
    }

    @Test("rotation: a new key first, rekey re-seals old rows and plaintext ones, then the old key can go")
    func rotation() async throws {
        let folder = try TemporaryStoreFolder()
        let oldLine = DataKeyRing.newKeyLine(id: "k1")
        let newLine = DataKeyRing.newKeyLine(id: "k2")
        let base = try folder.open()
        // A row from before sealing was turned on, then one sealed with k1.
        _ = try await base.accept(Self.submission("ORDER-PLAIN"))
        let first = SealedFilingStore(base: base, sealer: PersonalDataSealer(keys: try Self.ring(oldLine)))
        _ = try await first.accept(Self.submission("ORDER-K1"))
        #expect(try await first.orderJSON(orderNo: "ORDER-PLAIN") == Self.submission("ORDER-PLAIN").orderJSON)
        // And an order acknowledged before filing, still waiting in the queue.
        let waiting = QueuedOrderSubmission(orderNo: "ORDER-Q", merchant: "4401960E02", orderJSON: Self.submission("ORDER-Q").orderJSON, receivedAt: Fixture.t0)
        #expect(try await first.enqueue(waiting) == .queued)

        let rotated = SealedFilingStore(base: base, sealer: PersonalDataSealer(keys: try Self.ring(newLine, oldLine)))
        // 2 orders + 1 queued order + 4 filings, all re-sealed; running again changes nothing.
        #expect(try await rotated.rekey() == 7)
        #expect(try await rotated.rekey() == 0)

        let onlyNew = SealedFilingStore(base: base, sealer: PersonalDataSealer(keys: try Self.ring(newLine)))
        #expect(try await onlyNew.waitingOrders(limit: 1).first?.orderJSON == waiting.orderJSON)
        for orderNo in ["ORDER-PLAIN", "ORDER-K1"] {
            #expect(try await onlyNew.orderJSON(orderNo: orderNo) == Self.submission(orderNo).orderJSON)
            #expect(try await onlyNew.filings(orderNo: orderNo).map(\.payload) == Self.submission(orderNo).filings.map(\.payload))
            let raw = try #require(try await base.orderJSON(orderNo: orderNo))
            #expect(PersonalDataSealer.keyID(of: raw) == "k2")
        }
    }

    @Test("key sources: YIDAN_DATA_KEY, a key file, and a default file created with mode 0600")
    func keySources() throws {
        let folder = try TemporaryStoreFolder()
        let line = DataKeyRing.newKeyLine(id: "envkey")
        #expect(try DataKeyRing.load(defaultFile: nil, environment: ["YIDAN_DATA_KEY": line]).current.id == "envkey")
        let defaultFile = folder.folder.appendingPathComponent("yidan.key")
        let created = try DataKeyRing.load(defaultFile: defaultFile, environment: [:])
        let mode = try FileManager.default.attributesOfItem(atPath: defaultFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try DataKeyRing.load(defaultFile: defaultFile, environment: [:]).current.id == created.current.id)
        #expect(throws: YidanError.self) { try DataKeyRing.load(defaultFile: nil, environment: [:]) }
        #expect(throws: YidanError.self) { try DataKeyRing(lines: "k1:bm90IDMyIGJ5dGVz", source: "test") }
    }
}

@Suite("DataKeyRing: a new key file is created once")
struct DataKeyCreationTests {
    @Test("many openers racing on a new store agree on one key; an existing key file is never replaced")
    func firstKeyWins() async throws {
        let folder = try TemporaryStoreFolder()
        let file = folder.folder.appendingPathComponent("race.key")
        // Each racer seals a value with the key it loaded.
        let sealed = try await withThrowingTaskGroup(of: Data.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let ring = try DataKeyRing.load(defaultFile: file, environment: [:])
                    return try PersonalDataSealer(keys: ring).seal(Data("value \(index)".utf8), context: "order:A")
                }
            }
            var values: [Data] = []
            for try await value in group { values.append(value) }
            return values
        }
        // Every value opens with the one key the file holds afterwards.
        let kept = PersonalDataSealer(keys: try DataKeyRing.load(defaultFile: file, environment: [:]))
        for value in sealed {
            #expect(throws: Never.self) { try kept.open(value, context: "order:A") }
        }
        let before = try String(contentsOf: file, encoding: .utf8)
        try DataKeyRing.create(at: file, id: "k2")
        #expect(try String(contentsOf: file, encoding: .utf8) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.folder.path).filter { $0.hasPrefix(".race.key.") }
        #expect(leftovers.isEmpty)
    }
}
