public import Foundation
import CLibXML2
import YidanCore

/// A compiled W3C XML Schema.
///
/// `@unchecked Sendable`: libxml2 only reads an `xmlSchema` after parsing, and
/// every validation gets its own validation context, so one schema can be shared.
public final class XMLSchema: @unchecked Sendable {
    private let pointer: xmlSchemaPtr

    /// Loads and compiles the schema at `url`; `xs:import` and `xs:include`
    /// resolve relative to that file. Nothing is fetched over the network.
    public init(contentsOf url: URL) throws {
        guard url.isFileURL else {
            throw YidanError(.schema, "schema must be a local file, not \(url.absoluteString)")
        }
        pointer = try XMLErrorLog.capture { log in
            guard let parser = xmlSchemaNewParserCtxt(url.path) else {
                throw YidanError(.schema, "schema parser could not start for \(url.lastPathComponent)")
            }
            defer { xmlSchemaFreeParserCtxt(parser) }
            xmlSchemaSetParserStructuredErrors(parser, recordXMLError, log.opaque)
            guard let schema = xmlSchemaParse(parser) else {
                let detail = log.errors.first.map { ": \($0.message)" } ?? ""
                throw YidanError(.schema, "schema \(url.lastPathComponent) could not be loaded\(detail)")
            }
            return schema
        }
    }

    deinit {
        xmlSchemaFree(pointer)
    }

    /// Validates a document; an empty result means it is valid.
    public func validate(_ document: XMLDocument) -> [XMLSchemaIssue] {
        XMLErrorLog.capture { log in
            guard let context = xmlSchemaNewValidCtxt(pointer) else {
                return [XMLSchemaIssue(line: 0, path: "/", message: "schema validation could not start")]
            }
            defer { xmlSchemaFreeValidCtxt(context) }
            xmlSchemaSetValidStructuredErrors(context, recordXMLError, log.opaque)
            let status = withExtendedLifetime(document) { xmlSchemaValidateDoc(context, document.pointer) }
            var issues = log.errors.map { entry in
                XMLSchemaIssue(
                    line: entry.line,
                    path: entry.node.flatMap { takeSwiftString(xmlGetNodePath($0)) } ?? "/",
                    message: SchemaMessage.redactingValues(entry.message)
                )
            }
            if status != 0 && issues.isEmpty {
                issues.append(XMLSchemaIssue(line: 0, path: "/", message: "schema validation failed (libxml2 status \(status))"))
            }
            return issues
        }
    }

    /// Parses `data` with the hardened parser, then validates it.
    /// Throws `YidanError(.xml)` when the bytes are not acceptable XML at all.
    public func validate(_ data: Data) throws -> [XMLSchemaIssue] {
        validate(try XMLDocument.parse(data))
    }
}

/// One schema violation.
public struct XMLSchemaIssue: Sendable, Equatable, CustomStringConvertible {
    /// The line in the parsed input (0 for documents built in memory).
    public var line: Int
    /// An XPath to the offending node, e.g. `/ceb:CEB311Message/ceb:Order/ceb:OrderHead/ceb:orderNo`.
    public var path: String
    /// libxml2's message, naming the element; quoted values are redacted
    /// because they can be personal data.
    public var message: String

    public init(line: Int, path: String, message: String) {
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String { "\(path) (line \(line)): \(message)" }
}

/// libxml2 quotes the offending value in schema messages ("The value '1306…' has
/// a length of …"). Values can be ID numbers or phone numbers, so they are
/// replaced; element names, facets and types stay.
enum SchemaMessage {
    static func redactingValues(_ message: String) -> String {
        var text = message
        text = replacingQuoted(in: text, after: "The value '", until: "'")
        text = replacingQuoted(in: text, after: "The actual value '", until: "'")
        text = replacingQuoted(in: text, after: "]: '", until: "' is not")
        text = replacingQuoted(in: text, after: "': '", until: "' is not")
        return text
    }

    /// Replaces what stands between `opening` and the next `closing` with `***`.
    ///
    /// Searches UTF-8 bytes (the markers are ASCII): Foundation's `range(of:)`
    /// was most of the cost of validating a message (Benchmarks/RESULTS.md).
    private static func replacingQuoted(in text: String, after opening: String, until closing: String) -> String {
        let bytes = Array(text.utf8)
        let open = Array(opening.utf8)
        let close = Array(closing.utf8)
        guard let first = find(open, in: bytes, from: 0) else { return text }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        var start: Int? = first
        while let found = start {
            let valueStart = found + open.count
            result += bytes[position..<valueStart]
            position = valueStart
            guard let end = find(close, in: bytes, from: valueStart) else { break }
            result += Array("***".utf8)
            position = end
            start = find(open, in: bytes, from: end)
        }
        result += bytes[position...]
        return String(decoding: result, as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}
