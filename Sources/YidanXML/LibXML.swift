import CLibXML2

/// One-time, process-wide libxml2 set-up, run before any other libxml2 call.
enum LibXML {
    /// A lazily initialised global: Swift runs the initialiser exactly once,
    /// even when the first calls race on several threads.
    private static let initialized: Bool = {
        xmlInitParser()
        // Threads libxml2 has not seen yet start with silent handlers; each call
        // still installs its own scoped handler (see `XMLErrorLog.capture`).
        yidan_xml_silence_generic_errors_by_default()
        xmlThrDefSetStructuredErrorFunc(nil, discardXMLError)
        // Refuse every network fetch (schemas, DTDs, entities), whatever the options.
        xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader)
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}

private func discardXMLError(_ context: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {}

// MARK: - Strings

/// A NUL-terminated UTF-8 copy of `string`, passed to libxml2 as `const xmlChar *`.
func xmlChars(_ string: String) -> [xmlChar] {
    Array(string.utf8) + [0]
}

/// Reads a libxml2 string that the caller does not own.
func swiftString(_ chars: UnsafePointer<xmlChar>?) -> String? {
    guard let chars else { return nil }
    return String(cString: chars)
}

/// Reads and frees a libxml2 string the caller owns.
func takeSwiftString(_ chars: UnsafeMutablePointer<xmlChar>?) -> String? {
    guard let chars else { return nil }
    defer { yidan_xml_free(chars) }
    return String(cString: chars)
}
