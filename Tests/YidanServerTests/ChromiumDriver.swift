import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Headless chromium driven over the DevTools protocol through
/// `--remote-debugging-pipe`: commands go to its fd 3 and answers come back
/// on its fd 4, each a JSON message ended by a NUL byte. No WebSocket needed.
final class ChromiumDriver {
    /// The chromium executable, if installed.
    static let executable: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Run the browser test when chromium is installed; under CI it always runs (and fails without chromium).
    static var shouldRun: Bool { executable != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1
    private let profile: URL

    init(profile: URL) throws {
        let executable = try #require(Self.executable, "chromium is not installed (Debian package chromium)")
        // A browser that dies makes our next write fail with EPIPE (a test failure), not SIGPIPE (the whole test run).
        signal(SIGPIPE, SIG_IGN)
        self.profile = profile
        var toChrome: [Int32] = [0, 0]
        var fromChrome: [Int32] = [0, 0]
        guard pipe(&toChrome) == 0, pipe(&fromChrome) == 0 else { throw POSIXError(.EIO) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChrome[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromChrome[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=1400,1000", "about:blank",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, &argv, environ)
        Glibc.close(toChrome[0])
        Glibc.close(fromChrome[1])
        guard spawned == 0 else { throw POSIXError(.ENOEXEC) }
        pid = child
        commands = toChrome[1]
        answers = fromChrome[0]
    }

    /// Sends one command and returns its `result`, skipping events in between.
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        let written = bytes.withUnsafeBytes { write(commands, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw POSIXError(.EPIPE) }
        while true {
            let reply = try readMessage()
            guard reply["id"] as? Int == id else { continue }
            if let error = reply["error"] as? [String: Any] {
                throw DevToolsError(method: method, message: String(describing: error["message"] ?? "?"))
            }
            return reply["result"] as? [String: Any] ?? [:]
        }
    }

    private func readMessage() throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                return try #require(try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any])
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let count = chunk.withUnsafeMutableBytes { read(answers, $0.baseAddress, $0.count) }
            guard count > 0 else { throw POSIXError(.EPIPE) }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// A new tab at `url`, attached: its session id for page commands.
    func open(_ url: String) throws -> String {
        let target = try #require(try send("Target.createTarget", ["url": url])["targetId"] as? String)
        return try #require(try send("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String)
    }

    /// The value of a JavaScript expression in the page (strings, numbers, booleans, null).
    func evaluate(_ expression: String, session: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Polls an expression until it is true (the page updating itself); no reloads.
    func waitFor(_ expression: String, session: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try evaluate(expression, session: session) as? Bool == true { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try evaluate(expression, session: session) as? Bool == true
    }

    func screenshot(session: String, to file: URL) throws {
        let data = try #require(try send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true], session: session)["data"] as? String)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #require(Data(base64Encoded: data)).write(to: file)
    }

    /// Closes the browser: `Browser.close`, then SIGKILL if it has not exited within 5 s.
    func close() async {
        _ = try? send("Browser.close")
        Glibc.close(commands)
        Glibc.close(answers)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        try? FileManager.default.removeItem(at: profile)
    }

    struct DevToolsError: Error, CustomStringConvertible {
        var method: String
        var message: String
        var description: String { "\(method): \(message)" }
    }
}
