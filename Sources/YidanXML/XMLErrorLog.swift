import CLibXML2
import YidanCore

/// Collects the errors libxml2 reports during one operation, instead of letting
/// libxml2 print them to stderr.
final class XMLErrorLog {
    struct Entry {
        var isError: Bool
        var domain: Int32
        var code: Int32
        var line: Int
        var column: Int
        var message: String
        /// The node the error is about (validation errors), if libxml2 named one.
        var node: xmlNodePtr?
    }

    /// Bounds memory on pathological inputs; the first errors are the useful ones.
    static let maximumEntries = 100

    private(set) var entries: [Entry] = []

    var errors: [Entry] { entries.filter(\.isError) }

    func record(_ error: xmlError) {
        guard entries.count < Self.maximumEntries else { return }
        let message = error.message.map { String(cString: $0) } ?? "unknown libxml2 error"
        var node: xmlNodePtr?
        if let raw = error.node {
            node = raw.assumingMemoryBound(to: xmlNode.self)
        }
        entries.append(Entry(
            isError: error.level.rawValue >= XML_ERR_ERROR.rawValue,
            domain: Int32(error.domain),
            code: Int32(error.code),
            line: Int(error.line),
            column: Int(error.int2),
            message: message.trimmingWhitespace(),
            node: node
        ))
    }

    /// Runs `body` with this thread's libxml2 errors routed into a fresh log.
    ///
    /// libxml2 2.9 keeps its error handlers per thread; `body` is synchronous,
    /// so it runs on this thread from start to end and the scoped handler is
    /// exactly in force for it. The previous handlers are put back afterwards.
    static func capture<T>(_ body: (XMLErrorLog) throws -> T) rethrows -> T {
        LibXML.ensureInitialized()
        let log = XMLErrorLog()
        return try withExtendedLifetime(log) {
            let saved = yidan_xml_install_error_handlers(log.opaque, recordXMLError)
            defer { yidan_xml_restore_error_handlers(saved) }
            return try body(log)
        }
    }

    /// The context pointer libxml2 hands back to `recordXMLError`.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The first error as a `YidanError`, with its position when it has one.
    func yidanError(_ summary: String) -> YidanError {
        guard let first = errors.first ?? entries.first else {
            return YidanError(.xml, summary)
        }
        return YidanError(.xml, "\(summary): \(first.positionedMessage)")
    }
}

extension XMLErrorLog.Entry {
    var positionedMessage: String {
        line > 0 ? "line \(line), column \(column): \(message)" : message
    }
}

/// The structured error handler handed to libxml2: a plain C function.
func recordXMLError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let context, let error else { return }
    Unmanaged<XMLErrorLog>.fromOpaque(context).takeUnretainedValue().record(error.pointee)
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return String(scalars)
    }
}
