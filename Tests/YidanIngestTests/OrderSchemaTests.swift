import Foundation
import Testing
import YidanCore
import YidanIngest
import YidanChildProcess

/// The JSON Schema documents the same format the decoder reads: every valid
/// fixture passes both, and the invalid ones fail both. Validation runs the
/// real Python `jsonschema` package (Draft 2020-12) in a child process.
@Suite struct OrderSchemaTests {
    struct SchemaResult { var ok: Bool; var output: String }

    static func python() -> URL? {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin")
            .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Validates the files; each result line is "OK <path>" or "FAIL <path>: <reason>".
    static func validate(_ files: [URL]) throws -> [String: SchemaResult] {
        guard let python = python() else {
            throw YidanError(.configuration, "python3 not found on PATH: the schema tests need python3 with the jsonschema package")
        }
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                print("NO-JSONSCHEMA"); sys.exit(3)
            schema = json.load(open(sys.argv[1], encoding="utf-8"))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:]:
                try:
                    document = json.load(open(path, encoding="utf-8"))
                except ValueError as error:
                    print("FAIL", path + ":", "not JSON:", error); continue
                errors = sorted(validator.iter_errors(document), key=lambda e: e.json_path)
                if errors:
                    print("FAIL", path + ":", "; ".join(e.json_path + " " + e.message for e in errors))
                else:
                    print("OK", path)
            """
        let process = try ChildProcess.run(python.path, ["-c", script, OrderFixtures.schema.path] + files.map(\.path))
        let output = process.stdout + process.stderr
        guard !output.contains("NO-JSONSCHEMA") else {
            throw YidanError(.configuration, "python3 has no jsonschema package: pip install jsonschema")
        }
        guard process.status == 0 else {
            throw YidanError(.configuration, "schema validation script failed: \(output)")
        }
        var results: [String: SchemaResult] = [:]
        for line in output.split(separator: "\n") {
            let ok = line.hasPrefix("OK ")
            let rest = line.drop(while: { $0 != " " }).dropFirst()
            let path = ok ? String(rest) : String(rest.prefix(while: { $0 != ":" }))
            results[URL(fileURLWithPath: path).lastPathComponent] = SchemaResult(ok: ok, output: String(line))
        }
        return results
    }

    @Test func validFixturesPassTheSchema() throws {
        let files = try OrderFixtures.valid()
        let results = try Self.validate(files)
        #expect(results.count == files.count)
        for file in files {
            let result = results[file.lastPathComponent]
            #expect(result?.ok == true, "\(result?.output ?? "no result for \(file.lastPathComponent)")")
        }
    }

    @Test func invalidFixturesFailBothTheSchemaAndTheDecoder() throws {
        let files = ["many-errors.json", "malformed.json"].map { OrderFixtures.invalid.appendingPathComponent($0) }
        let results = try Self.validate(files)
        for file in files {
            #expect(results[file.lastPathComponent]?.ok == false, "\(file.lastPathComponent) passed the schema")
            #expect(!OrderFixtures.issues(try OrderFixtures.data(file)).isEmpty, "\(file.lastPathComponent) passed the decoder")
        }
        let manyErrors = results["many-errors.json"]?.output ?? ""
        for path in ["$.items[0].gcode", "$.orderTime", "$.payment", "$.customs", "$.currency", "$.enterprises.ebpCode"] {
            #expect(manyErrors.contains(path), "schema did not flag \(path)")
        }
    }

    @Test func encodedOrdersPassTheSchema() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [URL] = []
        for url in try OrderFixtures.valid() {
            let order = try NormalizedOrderJSON.decode(OrderFixtures.data(url))
            let file = directory.appendingPathComponent(url.lastPathComponent)
            try NormalizedOrderJSON.encode(order).write(to: file)
            files.append(file)
        }
        let results = try Self.validate(files)
        for file in files {
            #expect(results[file.lastPathComponent]?.ok == true, "\(results[file.lastPathComponent]?.output ?? "")")
        }
    }
}
