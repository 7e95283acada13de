import Foundation
import Testing
import YidanCore
@testable import YidanTrace
import YidanChildProcess

enum TraceFixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings", isDirectory: true)
    /// Shared GS1/OpenEPCIS examples (other people's files: read in place, never copied).
    static let examples = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/epcis", isDirectory: true)

    static func exampleFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: examples, includingPropertiesForKeys: nil)
            .filter { ["json", "jsonld", "xml"].contains($0.pathExtension) && $0.lastPathComponent != "epcis-context.jsonld" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func vocabulary() throws -> CBVVocabulary { try CBVVocabulary(mappingsDirectory: mappings) }

    static func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-trace-\(name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func time(_ text: String) throws -> ZonedDateTime {
        try #require(ZonedDateTime(iso8601: text))
    }
}

/// The reference implementation (PyPI `epcis-event-hash-generator`), run through
/// a small driver that answers the unversioned EPCIS context URL with the
/// shared copy (the network is not reachable). `.ci/run` installs it into
/// `.build/epcis-venv`; `YIDAN_EPCIS_HASH_TOOL` may name another interpreter.
enum ReferenceHashTool {
    static var python: URL? {
        if let path = ProcessInfo.processInfo.environment["YIDAN_EPCIS_HASH_TOOL"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let venv = TraceFixtures.packageRoot.appendingPathComponent(".build/epcis-venv/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    /// Under CI the comparison must run; locally it may be skipped when the tool is absent.
    static var mustRun: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static let driver = """
        import sys, json
        import epcis_event_hash_generator
        from epcis_event_hash_generator import file_document_loader, hash_generator, events_from_file_reader
        from pyld import jsonld
        package_loader = file_document_loader.file_document_loader(timeout=10)
        def loader(url, options={}):
            if url == "https://ref.gs1.org/standards/epcis/epcis-context.jsonld":
                with open(sys.argv[1]) as f:
                    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": json.load(f)}
            return package_loader(url, options)
        jsonld.set_document_loader(loader)
        out = {}
        for path in sys.argv[2:]:
            events = events_from_file_reader.event_list_from_file(path)
            prehashes = hash_generator.derive_prehashes_from_events(events)
            out[path] = {"hashes": hash_generator.calculate_hashes_from_pre_hashes(prehashes), "prehashes": prehashes}
        print(json.dumps(out))
        """

    /// Hash ids (and pre-hash strings) per file, in document order.
    static func hashes(of files: [URL], python: URL) throws -> [String: (hashes: [String], prehashes: [String])] {
        let folder = try TraceFixtures.temporaryFolder("hash-tool")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("driver.py")
        try driver.write(to: script, atomically: true, encoding: .utf8)
        let process = try ChildProcess.run(
            python.path, [script.path, TraceFixtures.examples.appendingPathComponent("epcis-context.jsonld").path] + files.map(\.path)
        )
        let data = process.stdoutData
        let errorText = process.stderr
        guard process.status == 0,
              let object = try JSONSerialization.jsonObject(with: data) as? [String: [String: [String]]] else {
            throw YidanError(.configuration, "reference hash tool failed (\(process.status)): \(errorText.suffix(800))")
        }
        return object.mapValues { ($0["hashes"] ?? [], $0["prehashes"] ?? []) }
    }
}

/// Events as yidan records them itself for an import order.
enum OwnEventSamples {
    static let order = TracedOrder(
        orderNo: "ORD-20261129-0001", waybillNo: "SF1234567890", inventoryNo: "51412026I000123456",
        customsCode: "5141", portCode: "5141",
        items: [
            .init(sku: "AU-A2-900G-S3", gtin: "9300617312345", quantity: 2),
            .init(sku: "JP-PUZZLE-1000", gtin: nil, quantity: 1),
        ]
    )

    static func events() throws -> [EPCISEvent] {
        try [
            CommerceEvents.event(.sale, order: order, at: TraceFixtures.time("2026-11-29T10:15:00+08:00")),
            CommerceEvents.event(.shipped, order: order, at: TraceFixtures.time("2026-11-29T12:00:00.250+08:00")),
            CommerceEvents.event(.customsDeclared, order: order, at: TraceFixtures.time("2026-11-29T13:00:00+08:00")),
            CommerceEvents.event(.customsInspected, order: order, at: TraceFixtures.time("2026-11-29T14:00:00+08:00")),
            CommerceEvents.event(.customsReleased, order: order, at: TraceFixtures.time("2026-11-29T15:30:00+08:00")),
            CommerceEvents.event(.returned, order: order, at: TraceFixtures.time("2026-12-05T09:00:00+08:00")),
        ]
    }
}
