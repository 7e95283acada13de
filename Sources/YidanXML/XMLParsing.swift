public import Foundation
import CLibXML2
import YidanCore

extension XMLDocument {
    /// Options for every document yidan reads: no network; entities are never
    /// substituted and no DTD is loaded (no NOENT, DTDLOAD, DTDATTR, HUGE or
    /// XINCLUDE). Blanks are kept, because signatures cover whitespace text.
    static let hardenedParseOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)

    /// Parses untrusted XML.
    ///
    /// Refuses any document with a DOCTYPE (messages never have one; DTDs are how
    /// entity bombs and external entities get in) and reports the first
    /// well-formedness error with its line and column as `YidanError(.xml)`.
    public static func parse(_ data: Data) throws -> XMLDocument {
        try XMLErrorLog.capture { log in
            guard data.count <= Int(Int32.max) else {
                throw YidanError(.xml, "XML document is too large (\(data.count) bytes)")
            }
            guard !data.isEmpty else {
                throw YidanError(.xml, "XML document is empty")
            }
            let guardState = DoctypeGuard()
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
                    xmlParseDocument(context)
                    let document = context.pointee.myDoc
                    context.pointee.myDoc = nil
                    if guardState.sawDoctype || context.pointee.wellFormed == 0 {
                        if let document { xmlFreeDoc(document) }
                        return nil
                    }
                    return document
                }
            }
            if guardState.sawDoctype {
                throw YidanError(.xml, "XML refused: a DOCTYPE (DTD) is not allowed in messages")
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

/// Set from the SAX DOCTYPE callback, read after parsing.
private final class DoctypeGuard {
    var sawDoctype = false
}

private func refuseDoctype(
    _ context: UnsafeMutableRawPointer?,
    _ name: UnsafePointer<xmlChar>?,
    _ externalID: UnsafePointer<xmlChar>?,
    _ systemID: UnsafePointer<xmlChar>?
) {
    guard let context else { return }
    let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
    if let state = parser.pointee._private {
        Unmanaged<DoctypeGuard>.fromOpaque(state).takeUnretainedValue().sawDoctype = true
    }
    xmlStopParser(parser)
}
