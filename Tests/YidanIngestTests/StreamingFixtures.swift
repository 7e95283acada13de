import Foundation
import YidanCore
@testable import YidanIngest

/// Input files for the streaming tests, written into a fresh temporary folder.
enum StreamingFixtures {
    static func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-streaming-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, to url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    /// The valid fixture orders, decoded.
    static func orders() throws -> [NormalizedOrder] {
        try OrderFixtures.valid().map { try NormalizedOrderJSON.decode(Data(contentsOf: $0)) }
    }

    /// One order on one line, as JSON Lines holds it.
    static func line(_ order: NormalizedOrder) -> String {
        line(OrderEncoder.document(order))
    }

    static func line(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
            .replacingOccurrences(of: "\": ", with: "\":")
    }

    /// A copy of `order` with another order number and another buyer (a valid ID number).
    static func variant(_ order: NormalizedOrder, index: Int) -> NormalizedOrder {
        var copy = order
        copy.orderNo = "\(order.orderNo.prefix(40))-V\(index)"
        copy.buyer.idNumber = idNumber(index)
        copy.buyer.registrationNo = "buyer\(index)"
        return copy
    }

    /// A distinct, valid mainland ID number per index (area 110101, birth date from the index).
    static func idNumber(_ index: Int) -> String {
        let day = index / 1000
        let year = 1960 + (day / 336) % 40
        let month = 1 + (day / 28) % 12
        let dayOfMonth = 1 + day % 28
        let first17 = "110101" + String(format: "%04d%02d%02d%03d", year, month, dayOfMonth, index % 1000)
        return first17 + String(MainlandIDNumber.checkCharacter(forFirst17: first17) ?? "0")
    }

    /// Reads every document of `source` through the normalized-order normalizer.
    static func drain(_ source: some OrderDocumentSource) throws -> [NormalizedDocument] {
        let normalizer = NormalizedOrderJSONNormalizer()
        var out: [NormalizedDocument] = []
        while let document = try source.next() {
            out += normalizer.normalize(document)
        }
        return out
    }
}

extension NormalizedDocument {
    var order: NormalizedOrder? { try? result.get() }
    var issues: [FieldIssue] {
        if case let .failure(failure) = result { return failure.issues }
        return []
    }
}
