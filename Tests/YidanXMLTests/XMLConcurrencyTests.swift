import Foundation
import Testing
import YidanCore
import YidanXML

/// libxml2 keeps error handlers per thread; one shared schema and many tasks
/// must still give each call exactly its own errors.
@Suite("YidanXML from many tasks at once")
struct XMLConcurrencyTests {
    @Test("a shared schema validates concurrently and issues never mix")
    func sharedSchema() async throws {
        let (schema, folder) = try XMLSchemaTests.loadSchema()
        defer { try? FileManager.default.removeItem(at: folder) }
        let results = try await withThrowingTaskGroup(of: (Int, [XMLSchemaIssue]).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let xml = index.isMultiple(of: 2)
                        ? XMLSchemaTests.order(orderNo: "NO-\(index)")
                        : XMLSchemaTests.order(orderNo: "NO-\(index)", amount: "x\(index)")
                    return (index, try schema.validate(Data(xml.utf8)))
                }
            }
            return try await group.reduce(into: [Int: [XMLSchemaIssue]]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 64)
        for (index, issues) in results {
            if index.isMultiple(of: 2) {
                #expect(issues.isEmpty)
            } else {
                #expect(issues.map(\.path) == ["/t:Order/t:amount"])
            }
        }
    }

    @Test("parse errors are reported to the task that made them")
    func parseErrors() async throws {
        let messages = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<64 {
                group.addTask {
                    let xml = index.isMultiple(of: 2) ? "<a\(index)></a\(index)>" : "<a\(index)>\n</b\(index)>"
                    do {
                        _ = try XMLDocument.parse(Data(xml.utf8))
                        return (index, nil)
                    } catch let error as YidanError {
                        return (index, error.message)
                    }
                }
            }
            return try await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
        }
        for (index, message) in messages {
            if index.isMultiple(of: 2) {
                #expect(message == nil)
            } else {
                #expect(message?.contains("a\(index) line 1 and b\(index)") == true, "\(String(describing: message))")
            }
        }
    }
}
