import Foundation
import Testing
import YidanCore
import YidanMapping
import YidanXML

/// Paths of the package and the shared reference, derived from this file.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings")
    static let fixtures = packageRoot.appendingPathComponent("Fixtures")
    static let golden = packageRoot.appendingPathComponent("Tests/YidanMappingTests/Golden")
    static let reference = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    /// The official import schema; it imports xmldsig-core-schema.xsd beside it.
    static let officialImportSchema = reference.appendingPathComponent("ceb/202205/xsd/海关跨境进口业务节点报文定义202205.xsd")
}

/// The catalog and the official schema, loaded once for all tests.
enum Shared {
    static let catalog = Result { try MappingCatalog(directory: TestPaths.mappings) }
    static let officialSchema = Result { try XMLSchema(contentsOf: TestPaths.officialImportSchema) }
    static let taxRates = Result {
        try TaxRateTable(csv: String(contentsOf: TestPaths.mappings.appendingPathComponent("tables/tax-rates.csv"), encoding: .utf8))
    }

    /// Fixed inputs so that golden files are stable.
    static let now = ZonedDateTime(instant: Date(timeIntervalSince1970: 1_796_443_200), utcOffsetSeconds: 0) // 2026-12-05T04:00:00Z
    static func guid(_ kind: MessageKind) -> String {
        "5C1E0A7E-0000-4000-8000-000000000" + String(kind.rawValue.dropFirst(3))
    }
}

/// Compares `actual` with `Golden/<name>` byte for byte; with `YIDAN_RECORD_GOLDEN=1`
/// in the environment it (re)writes the file instead. A mismatch shows the first
/// differing lines, so a failure reads like a diff.
func expectMatchesGolden(_ actual: Data, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = TestPaths.golden.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["YIDAN_RECORD_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(at: TestPaths.golden, withIntermediateDirectories: true)
        try actual.write(to: url)
        return
    }
    guard let expected = try? Data(contentsOf: url) else {
        Issue.record("no golden file \(name): run the tests once with YIDAN_RECORD_GOLDEN=1 and review it", sourceLocation: sourceLocation)
        return
    }
    guard expected != actual else { return }
    let diff = lineDiff(expected: String(decoding: expected, as: UTF8.self), actual: String(decoding: actual, as: UTF8.self))
    Issue.record(
        "\(name) differs from the golden file (re-record with YIDAN_RECORD_GOLDEN=1 if the change is intended):\n\(diff)",
        sourceLocation: sourceLocation
    )
}

/// A small unified-style diff: the differing region with two lines of context.
func lineDiff(expected: String, actual: String) -> String {
    let old = expected.components(separatedBy: "\n")
    let new = actual.components(separatedBy: "\n")
    var prefix = 0
    while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] {
        suffix += 1
    }
    let start = max(0, prefix - 2)
    var out = ["@@ line \(prefix + 1) @@"]
    out += old[start..<prefix].map { "  " + $0 }
    out += old[prefix..<(old.count - suffix)].map { "- " + $0 }
    out += new[prefix..<(new.count - suffix)].map { "+ " + $0 }
    out += old[(old.count - suffix)..<min(old.count, old.count - suffix + 2)].map { "  " + $0 }
    return out.joined(separator: "\n")
}
