import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanReceipts
import YidanXML

/// A small deterministic fuzzer: seeded mutations (bit flips, hostile bytes,
/// truncation, splices, repeats) of real fixtures, fed to the order JSON
/// decoder, the receipt parser and the XML parser. Every input must end in a
/// value or in the parser's own error type: no crash, no other error. The
/// seed is fixed, so a failure reproduces; the failing input is in the message.
@Suite struct HostileFuzzTests {
    /// SplitMix64: tiny, fast and the same on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    }

    /// Bytes that matter to the parsers: markup, quotes, escapes, invalid UTF-8 leads.
    static let interesting: [UInt8] = Array("<>&;\"'\\/=[]{}:,-0.9eE!?u".utf8) + [0x00, 0x0A, 0x1B, 0x7F, 0x80, 0xC0, 0xED, 0xF5, 0xFF]

    static func mutate(_ input: [UInt8], corpus: [[UInt8]], random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            guard !bytes.isEmpty else { break }
            let at = random.below(bytes.count)
            switch random.below(6) {
            case 0: bytes[at] ^= UInt8(1 << random.below(8))
            case 1: bytes[at] = interesting[random.below(interesting.count)]
            case 2: bytes.removeSubrange(at...)
            case 3:
                let donor = corpus[random.below(corpus.count)]
                let from = random.below(donor.count)
                let length = random.below(min(256, donor.count - from) + 1)
                bytes.insert(contentsOf: donor[from..<(from + length)], at: at)
            case 4:
                let length = random.below(min(64, bytes.count - at) + 1)
                let chunk = Array(bytes[at..<(at + length)])
                for _ in 0..<random.below(8) { bytes.insert(contentsOf: chunk, at: at) }
            default: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(32)))
            }
        }
        return bytes
    }

    static func corpus(_ folder: URL, suffix: String) throws -> [[UInt8]] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(suffix) }.sorted()
            .map { Array(try Data(contentsOf: folder.appendingPathComponent($0))) }
    }

    static func shown(_ bytes: [UInt8]) -> String { Data(bytes.prefix(2000)).base64EncodedString() }

    @Test("order JSON decoder: 2000 mutated fixtures, each a NormalizedOrder or a ValidationFailure")
    func orderDecoder() throws {
        let corpus = try Self.corpus(packageRoot.appendingPathComponent("Fixtures/orders"), suffix: ".json")
        try #require(corpus.count >= 4)
        var random = Random(state: 0x5EED_0001)
        var decoded = 0
        var refused = 0
        for _ in 0..<2000 {
            let input = Self.mutate(corpus[random.below(corpus.count)], corpus: corpus, random: &random)
            do {
                let order = try NormalizedOrderJSON.decode(Data(input))
                decoded += 1
                #expect(!order.orderNo.isEmpty, "decoded without an order number: \(Self.shown(input))")
            } catch {
                refused += 1
                #expect(!error.issues.isEmpty, "a refusal without an issue: \(Self.shown(input))")
            }
        }
        // Both outcomes are exercised, or the mutations are too weak or too strong to mean anything.
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }

    @Test("receipt parser: 1500 mutated official receipts, each records or a YidanError")
    func receiptParser() throws {
        let corpus = try Self.corpus(importSamples, suffix: ".xml").filter {
            let text = String(decoding: $0.prefix(400), as: UTF8.self)
            return ["CEB312", "CEB412", "CEB512", "CEB622"].contains { text.contains($0) }
        }
        try #require(corpus.count >= 4)
        var random = Random(state: 0x5EED_0002)
        var parsed = 0
        for _ in 0..<1500 {
            let input = Self.mutate(corpus[random.below(corpus.count)], corpus: corpus, random: &random)
            do {
                let records = try ReceiptParser.parse(Data(input), channel: "fuzz")
                parsed += 1
                #expect(records.allSatisfy { $0.raw == Data(input) })
            } catch {
                #expect(error is YidanError, "\(type(of: error)) for \(Self.shown(input))")
            }
        }
        #expect(parsed > 0)
    }

    @Test("XML parser: 1500 mutated CEB messages, each a document that round-trips or a YidanError")
    func xmlParser() throws {
        let corpus = try Self.corpus(importSamples, suffix: ".xml")
        try #require(corpus.count >= 4)
        var random = Random(state: 0x5EED_0003)
        var parsed = 0
        for _ in 0..<1500 {
            let input = Self.mutate(corpus[random.below(corpus.count)], corpus: corpus, random: &random)
            do {
                let document = try XMLDocument.parse(Data(input))
                parsed += 1
                // What was accepted once is accepted again after serialising.
                _ = try XMLDocument.parse(document.serialized())
            } catch {
                #expect(error is YidanError, "\(type(of: error)) for \(Self.shown(input))")
            }
        }
        #expect(parsed > 0)
    }
}
