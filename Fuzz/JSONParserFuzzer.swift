// libFuzzer target: the order JSON parser (JSONParser + JSONValue, compiled in).
// Build and run: Fuzz/run.sh json (see docs/fuzzing.md).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    do {
        let value = try JSONParser(maxDepth: 64, maxBytes: 1 << 20).parse(bytes)
        // Whatever parses must compare equal to itself (no NaN-like surprises).
        precondition(value == value)
    } catch {
        // A JSONSyntaxError is the expected refusal; its position must lie inside the input.
        precondition(error.offset >= 0 && error.offset <= size && error.line >= 1 && error.column >= 1)
    }
    return 0
}
