// libFuzzer target: the hardened XML parser (YidanXML over libxml2).
// Build and run: Fuzz/run.sh xml (see docs/fuzzing.md).
import Foundation
import YidanCore
import YidanXML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes: data, count: size)
    do {
        let document = try XMLDocument.parse(input)
        // What was accepted once is accepted again after serialising.
        _ = try XMLDocument.parse(document.serialized())
    } catch is YidanError {
        // The expected refusal.
    } catch {
        preconditionFailure("XMLDocument.parse threw \(type(of: error)), not a YidanError")
    }
    return 0
}
