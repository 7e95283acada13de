public import Foundation
import CLibXML2
import YidanCore

extension XMLDocument {
    /// Options for every document yidan reads: no network; entities are never
    /// substituted and no DTD is loaded (no NOENT, DTDLOAD, DTDATTR, HUGE or
    /// XINCLUDE). Blanks are kept, because signatures cover whitespace text.
    static let hardenedParseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)

    /// Largest document `parse` reads by default: far above any message,
    /// receipt batch or EPCIS document yidan handles (the receipt listener
    /// already caps bodies at 4 MB), far below what would hurt memory.
    public static let defaultMaxBytes = 16 << 20
    /// Deepest element nesting `parse` accepts by default. CEB messages nest
    /// 4 levels, signed envelopes about 10; 256 is also libxml2's own cap
    /// without XML_PARSE_HUGE, here checked first so the error says why.
    public static let defaultMaxDepth = 256
    /// Most attributes plus namespace declarations one start tag may carry.
    /// libxml2 checks them for duplicates pair by pair (quadratic): 80,000
    /// attributes in a 700 KB document take seconds, so they are counted
    /// before libxml2 sees the document.
    public static let defaultMaxAttributes = 256

    /// Parses untrusted XML.
    ///
    /// Refuses any document with a DOCTYPE (messages never have one; DTDs are how
    /// entity bombs and external entities get in), documents larger than
    /// `maxBytes`, nested deeper than `maxDepth` or with a start tag of more
    /// than `maxAttributes` attributes, and reports the first well-formedness
    /// error with its line and column, all as `YidanError(.xml)`.
    public static func parse(
        _ data: Data, maxBytes: Int = defaultMaxBytes, maxDepth: Int = defaultMaxDepth, maxAttributes: Int = defaultMaxAttributes
    ) throws -> XMLDocument {
        try XMLErrorLog.capture { log in
            guard data.count <= min(maxBytes, Int(Int32.max)) else {
                throw YidanError(.xml, "XML refused: the document is \(data.count) bytes, more than the limit of \(min(maxBytes, Int(Int32.max)))")
            }
            guard !data.isEmpty else {
                throw YidanError(.xml, "XML document is empty")
            }
            if let (line, count) = MarkupScan.firstTagWithMoreAttributes(than: maxAttributes, in: data) {
                throw YidanError(.xml, "XML refused: a start tag on line \(line) has \(count) or more attributes, more than the limit of \(maxAttributes)")
            }
            let guardState = ParseGuard(maxDepth: maxDepth)
            let parsed: xmlDocPtr? = try withExtendedLifetime(guardState) {
                try data.withUnsafeBytes { buffer -> xmlDocPtr? in
                    let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                    guard let context = xmlCreateMemoryParserCtxt(base, Int32(buffer.count)) else {
                        throw log.yidanError("XML parser could not start")
                    }
                    defer { xmlFreeParserCtxt(context) }
                    xmlCtxtUseOptions(context, hardenedParseOptions)
                    context.pointee._private = Unmanaged.passUnretained(guardState).toOpaque()
                    // The DOCTYPE callback fires before the internal subset is read,
                    // so no entity declaration is ever parsed.
                    context.pointee.sax.pointee.internalSubset = refuseDoctype
                    // Depth is counted around libxml2's own element handlers.
                    guardState.startElement = context.pointee.sax.pointee.startElementNs
                    guardState.endElement = context.pointee.sax.pointee.endElementNs
                    context.pointee.sax.pointee.startElementNs = countingStartElement
                    context.pointee.sax.pointee.endElementNs = countingEndElement
                    xmlParseDocument(context)
                    let document = context.pointee.myDoc
                    context.pointee.myDoc = nil
                    if guardState.sawDoctype || guardState.tooDeep || context.pointee.wellFormed == 0 {
                        if let document { xmlFreeDoc(document) }
                        return nil
                    }
                    return document
                }
            }
            if guardState.sawDoctype {
                throw YidanError(.xml, "XML refused: a DOCTYPE (DTD) is not allowed in messages")
            }
            if guardState.tooDeep {
                throw YidanError(.xml, "XML refused: elements nest deeper than the limit of \(maxDepth) levels")
            }
            guard let parsed else {
                throw log.yidanError("XML is not well-formed")
            }
            guard xmlDocGetRootElement(parsed) != nil else {
                xmlFreeDoc(parsed)
                throw YidanError(.xml, "XML document has no root element")
            }
            return XMLDocument(adopting: parsed)
        }
    }
}

/// Set from the SAX callbacks, read after parsing.
private final class ParseGuard {
    let maxDepth: Int
    var sawDoctype = false
    var depth = 0
    var tooDeep = false
    /// libxml2's own handlers, called for every element within the limit.
    var startElement: startElementNsSAX2Func?
    var endElement: endElementNsSAX2Func?

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    static func of(_ context: UnsafeMutableRawPointer) -> (UnsafeMutablePointer<xmlParserCtxt>, ParseGuard?) {
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        return (parser, parser.pointee._private.map { Unmanaged<ParseGuard>.fromOpaque($0).takeUnretainedValue() })
    }
}

private func refuseDoctype(
    _ context: UnsafeMutableRawPointer?,
    _ name: UnsafePointer<xmlChar>?,
    _ externalID: UnsafePointer<xmlChar>?,
    _ systemID: UnsafePointer<xmlChar>?
) {
    guard let context else { return }
    let (parser, state) = ParseGuard.of(context)
    state?.sawDoctype = true
    xmlStopParser(parser)
}

private func countingStartElement(
    _ context: UnsafeMutableRawPointer?,
    _ localName: UnsafePointer<xmlChar>?,
    _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?,
    _ namespaceCount: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
    _ attributeCount: Int32,
    _ defaultedCount: Int32,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    guard let context else { return }
    let (parser, state) = ParseGuard.of(context)
    guard let state else { return }
    state.depth += 1
    guard state.depth <= state.maxDepth else {
        state.tooDeep = true
        xmlStopParser(parser)
        return
    }
    state.startElement?(context, localName, prefix, uri, namespaceCount, namespaces, attributeCount, defaultedCount, attributes)
}

private func countingEndElement(
    _ context: UnsafeMutableRawPointer?,
    _ localName: UnsafePointer<xmlChar>?,
    _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    guard let context else { return }
    let (_, state) = ParseGuard.of(context)
    guard let state else { return }
    state.depth -= 1
    state.endElement?(context, localName, prefix, uri)
}

/// A linear pass over the raw bytes before libxml2 parses them, for limits
/// libxml2 itself enforces too late or too slowly.
enum MarkupScan {
    private static let commentOpen = Array("<!--".utf8), commentClose = Array("-->".utf8)
    private static let cdataOpen = Array("<![CDATA[".utf8), cdataClose = Array("]]>".utf8)
    private static let piOpen = Array("<?".utf8), piClose = Array("?>".utf8)
    private static let declarationOpen = Array("<!".utf8), endTagOpen = Array("</".utf8), tagClose = Array(">".utf8)

    /// The line of the first start tag with more than `limit` attributes
    /// (namespace declarations included), and how many were counted, or nil.
    ///
    /// Counts `=` outside quotes inside each tag; skips comments, CDATA
    /// sections, processing instructions and declarations. A document this
    /// misreads is malformed, and libxml2 refuses it next.
    static func firstTagWithMoreAttributes(than limit: Int, in data: Data) -> (line: Int, count: Int)? {
        data.withUnsafeBytes { raw -> (Int, Int)? in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            var i = 0
            var line = 1
            func skip(past terminator: [UInt8]) {
                while i < n {
                    if bytes[i] == 0x0A { line += 1 }
                    if bytes[i] == terminator[0], i + terminator.count <= n,
                       terminator.indices.allSatisfy({ bytes[i + $0] == terminator[$0] }) {
                        i += terminator.count
                        return
                    }
                    i += 1
                }
            }
            func starts(_ prefix: [UInt8]) -> Bool {
                i + prefix.count <= n && prefix.indices.allSatisfy { bytes[i + $0] == prefix[$0] }
            }
            while i < n {
                let byte = bytes[i]
                if byte == 0x0A { line += 1 }
                guard byte == UInt8(ascii: "<") else { i += 1; continue }
                if starts(commentOpen) { i += 4; skip(past: commentClose); continue }
                if starts(cdataOpen) { i += 9; skip(past: cdataClose); continue }
                if starts(piOpen) { i += 2; skip(past: piClose); continue }
                if starts(declarationOpen) || starts(endTagOpen) { i += 2; skip(past: tagClose); continue }
                // A start tag: count '=' outside quoted values up to its '>'.
                let tagLine = line
                var count = 0
                var quote: UInt8?
                i += 1
                while i < n {
                    let c = bytes[i]
                    if c == 0x0A { line += 1 }
                    if let open = quote {
                        if c == open { quote = nil }
                    } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        quote = c
                    } else if c == UInt8(ascii: "=") {
                        count += 1
                        if count > limit { return (tagLine, count) }
                    } else if c == UInt8(ascii: ">") {
                        break
                    }
                    i += 1
                }
                i += 1
            }
            return nil
        }
    }
}
