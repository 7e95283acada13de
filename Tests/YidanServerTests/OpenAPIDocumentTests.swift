import Foundation
import Testing
import Yams
import YidanServer

/// `docs/openapi.yaml` against the running server: every documented
/// path+method is served, every served route is documented, and sample
/// answers carry the keys their documented schema requires.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let methods = ["get", "post", "put", "patch", "delete"]

    static func document() throws -> [String: Any] {
        let text = try String(contentsOf: ServerHarness.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test("documented routes and served routes are the same set")
    func sameRoutes() async throws {
        let harness = try await ServerHarness.start("openapi-routes")
        let paths = try #require(try Self.document()["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in Self.methods where (item as? [String: Any])?[method] != nil {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        let served = Set(harness.server.routes().routes.map(\.description))
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        await harness.stop()
    }

    @Test("every documented route answers (never 404 for the route, never 405) and JSON answers have the required keys")
    func answersMatchSchemas() async throws {
        let harness = try await ServerHarness.start("openapi-answers")
        let document = try Self.document()
        let admin = harness.key("admin")
        let filed = try await harness.request("POST", "/v1/orders", key: admin, body: try ServerHarness.order())
        #expect(filed.status == 201)
        let filingID = try #require(((try harness.json(filed.body)["filings"] as? [[String: Any]])?.first?["id"]) as? String)
        let paths = try #require(document["paths"] as? [String: Any])
        var checked = 0
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard let operations = item as? [String: Any] else { continue }
            for method in Self.methods {
                guard let operation = operations[method] as? [String: Any] else { continue }
                if path == "/v1/stream" { continue }  // never ends; BrokerAPITests reads it
                let concrete = path.replacingOccurrences(of: "{orderNo}", with: "YD20261129-0001").replacingOccurrences(of: "{id}", with: filingID)
                    .replacingOccurrences(of: "{gtin}", with: "09506000134352").replacingOccurrences(of: "{ai}", with: "21")
                    .replacingOccurrences(of: "{value}", with: "SN1")
                let body: Data? = switch path {
                case "/v1/orders", "/v1/orders/{orderNo}/amend": try ServerHarness.order()
                case "/v1/receipts": Data("<not-a-receipt/>".utf8)
                case "/login": Data("key=\(admin)".utf8)
                default: Data(#"{"reason":"openapi check"}"#.utf8)
                }
                let answer = try await harness.request(method.uppercased(), concrete, key: admin, body: method == "get" ? nil : body)
                #expect(answer.status != 405, "\(method) \(path)")
                if answer.status == 404, answer.headers["content-type"]?.hasPrefix("application/json") == true {
                    // A missing route is Hummingbird's 404 (code http-404); a missing resource is not-found.
                    let code = (try? harness.json(answer.body)["error"] as? [String: Any])?["code"] as? String
                    #expect(code == "not-found", "\(method) \(path): the route itself is missing")
                }
                let responses = try #require(operation["responses"] as? [String: Any])
                guard answer.headers["content-type"]?.hasPrefix("application/json") == true,
                      let response = Self.resolve(responses[String(answer.status)], in: document) as? [String: Any]
                else { continue }
                #expect(responses[String(answer.status)] != nil, "\(method) \(path) answered an undocumented \(answer.status)")
                let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
                let value = try JSONSerialization.jsonObject(with: answer.body)
                let missing = Self.missingKeys(value, schema: schema, in: document, at: "")
                #expect(missing.isEmpty, "\(method) \(path) \(answer.status): missing \(missing)")
                checked += 1
            }
        }
        #expect(checked >= 8)
        await harness.stop()
    }

    static func resolve(_ node: Any?, in document: [String: Any]) -> Any? {
        guard let object = node as? [String: Any], let reference = object["$ref"] as? String else { return node }
        var current: Any? = document
        for part in reference.dropFirst(2).split(separator: "/") { current = (current as? [String: Any])?[String(part)] }
        return resolve(current, in: document)
    }

    /// JSON pointers of required keys the value lacks, through properties and array items.
    static func missingKeys(_ value: Any, schema node: Any?, in document: [String: Any], at pointer: String) -> [String] {
        guard let schema = resolve(node, in: document) as? [String: Any] else { return [] }
        var missing: [String] = []
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { missing.append(pointer + "/" + key) }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, child) in object {
                // A named property's schema, else the schema every other member follows.
                guard let property = properties[key] ?? (schema["additionalProperties"] as? [String: Any]) else { continue }
                missing += missingKeys(child, schema: property, in: document, at: pointer + "/" + key)
            }
        } else if let array = value as? [Any], let items = schema["items"] {
            for (index, element) in array.enumerated() { missing += missingKeys(element, schema: items, in: document, at: "\(pointer)/\(index)") }
        }
        return missing
    }
}
