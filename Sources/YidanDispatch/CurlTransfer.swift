import CCurl
import Foundation
import YidanCore

/// `curl_global_init` must run once per process before any other libcurl call
/// and is not thread-safe; a lazily initialised static is (swift_once).
enum CurlGlobal {
    static let initCode: CURLcode = yidan_curl_global_init_all()
    static var isReady: Bool { initCode == CURLE_OK }
}

/// One HTTP exchange: owns its easy handle, header list, error buffer and the
/// response being collected; everything is freed in `deinit`.
///
/// Thread confinement (why `@unchecked Sendable` is sound): the object is built
/// on the caller's task and then handed to the loop thread, which is the only
/// one touching it until it resumes `continuation`, exactly once.
final class CurlTransfer: @unchecked Sendable {
    let id: Int
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let maxResponseBytes: Int
    private(set) var responseBody = Data()
    private(set) var responseHeaders: [(name: String, value: String)] = []
    private(set) var bodyTooLarge = false
    var continuation: CheckedContinuation<HTTPClientResponse, any Error>?

    init(id: Int, url: String, body: Data, headers: [(String, String)], configuration: CurlHTTPClient.Configuration) throws {
        guard CurlGlobal.isReady else {
            throw YidanError(.transport, "libcurl could not be initialised (code \(CurlGlobal.initCode.rawValue))")
        }
        guard let handle = curl_easy_init() else {
            throw YidanError(.transport, "libcurl could not create a transfer handle")
        }
        self.id = id
        self.handle = handle
        self.maxResponseBytes = configuration.maxResponseBytes
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))

        for (name, value) in headers {
            // A CR or LF would let a value start a header of its own.
            guard !name.isEmpty, !(name + value).contains(where: { $0 == "\r" || $0 == "\n" }), !name.contains(":") else {
                throw YidanError(.transport, "invalid HTTP header '\(name)'")
            }
            appendHeader("\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip before small bodies.
        appendHeader("Expect:")
        try configure(url: url, body: body, configuration: configuration)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func appendHeader(_ line: String) {
        headerList = curl_slist_append(headerList, line)
    }

    private func configure(url: String, body: Data, configuration: CurlHTTPClient.Configuration) throws {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try check(yidan_curl_easy_setopt_string(handle, CURLOPT_URL, url), "URL")
        // Signals are process-wide; libcurl must not use them in a multi-threaded process.
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
        try check(yidan_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR")
        // A redirect from the gateway is a misconfiguration, never something to follow.
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "FOLLOWLOCATION")
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout)), "CONNECTTIMEOUT_MS")
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.timeout)), "TIMEOUT_MS")
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1), "TCP_KEEPALIVE")
        try check(yidan_curl_easy_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent), "USERAGENT")
        try check(yidan_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")
        try check(yidan_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        // POST: size first, then COPYPOSTFIELDS copies the bytes (binary-safe with the size set).
        try check(yidan_curl_easy_setopt_long(handle, CURLOPT_POST, 1), "POST")
        try check(yidan_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
        var bytes = body
        bytes.append(0)  // a valid pointer even for an empty body
        let copied = bytes.withUnsafeMutableBytes { buffer -> CURLcode in
            yidan_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress)
        }
        try check(copied, "COPYPOSTFIELDS")

        try check(yidan_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "WRITEFUNCTION")
        try check(yidan_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me), "WRITEDATA")
        try check(yidan_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "HEADERFUNCTION")
        try check(yidan_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me), "HEADERDATA")
    }

    private func check(_ code: CURLcode, _ option: String) throws {
        guard code == CURLE_OK else {
            throw YidanError(.transport, "libcurl rejected option \(option): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let parts = duration.components
        return max(1, Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Called on the loop thread by libcurl

    /// Returns false (abort) once the body would exceed the limit.
    fileprivate func receiveBody(_ pointer: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard responseBody.count + count <= maxResponseBytes else {
            bodyTooLarge = true
            return false
        }
        responseBody.append(pointer, count: count)
        return true
    }

    /// One header line as libcurl hands it over (with its CRLF), split on bytes.
    fileprivate func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        let bytes = LineSpace.trimmed(line)
        if bytes.starts(with: "HTTP/".utf8) {
            // A new status line (after 100 Continue, say): earlier headers belong to another response.
            responseHeaders.removeAll()
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        // Header bytes are meant to be ASCII; anything else is decoded leniently.
        let name = String(decoding: LineSpace.trimmed(bytes[..<colon]), as: UTF8.self)
        let value = String(decoding: LineSpace.trimmed(bytes[(colon + 1)...]), as: UTF8.self)
        responseHeaders.append((name: name, value: value))
    }

    /// Builds the response once libcurl reports the transfer done with `code`.
    func result(for code: CURLcode) -> Result<HTTPClientResponse, any Error> {
        guard code == CURLE_OK else {
            if bodyTooLarge {
                return .failure(TransportFailure(kind: .other, curlCode: Int(code.rawValue), detail: "response body over \(maxResponseBytes) bytes"))
            }
            let buffered = String(cString: errorBuffer)
            let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
            return .failure(TransportFailure(kind: TransportFailure.kind(of: code), curlCode: Int(code.rawValue), detail: detail))
        }
        var status = 0
        _ = yidan_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var totalMicroseconds: curl_off_t = 0
        _ = yidan_curl_easy_getinfo_off_t(handle, CURLINFO_TOTAL_TIME_T, &totalMicroseconds)
        var connects = 0
        _ = yidan_curl_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        var localPort = 0
        _ = yidan_curl_easy_getinfo_long(handle, CURLINFO_LOCAL_PORT, &localPort)
        return .success(HTTPClientResponse(
            status: status,
            headers: responseHeaders,
            body: responseBody,
            latency: .microseconds(Int64(totalMicroseconds)),
            newConnections: connects,
            localPort: localPort
        ))
    }
}

private func curlWriteBody(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    guard total > 0, let pointer else { return total }
    let accepted = UnsafeRawPointer(pointer).withMemoryRebound(to: UInt8.self, capacity: total) {
        transfer.receiveBody($0, count: total)
    }
    return accepted ? total : 0
}

private func curlWriteHeader(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let total = size * count
    guard total > 0, let pointer else { return total }
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: pointer, count: total))
    return total
}

