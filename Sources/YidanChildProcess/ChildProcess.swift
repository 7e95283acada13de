#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// A child process started with `posix_spawn`, for tests and benchmarks that
/// drive `yidan`, `python3`, `xmlsec1`, `curl` or `wrk`.
///
/// Why not `Foundation.Process`: on Linux its `run()` lists `/proc/self/fd`
/// and copies each `dirent`'s whole 256-byte name field, reading past the end
/// of glibc's directory buffer when a short record sits at its tail
/// (swift-corelibs-foundation PR #5472). A test process holding a thousand
/// open descriptors hits that as an intermittent SIGSEGV. Here the child gets
/// exactly stdin, stdout and stderr; every other descriptor is closed in the
/// child (`closefrom` file action) so a long-running child never keeps another
/// test's pipe or socket open.
///
/// Output goes to files, not pipes, so a chatty child can never block on a
/// full pipe while the parent waits for it.
public final class ChildProcess: @unchecked Sendable {
    /// Where a child's stdout or stderr goes.
    public enum Output: Sendable {
        /// `/dev/null`.
        case discard
        /// Appended to this file (created if missing).
        case file(String)
        /// Kept in a temporary file and returned by `output` after exit.
        case capture
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let executable: String
        public let errno: Int32
        public var description: String { "could not start \(executable): \(String(cString: strerror(errno)))" }
    }

    /// What a finished child left: its exit code (128 + signal when a signal
    /// ended it, as a shell reports it) and the captured output.
    public struct Finished: Sendable {
        public let status: Int32
        public let stdoutData: Data
        public let stderrData: Data
        public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
        public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
    }

    /// What a child reads on stdin.
    public enum Input: Sendable {
        /// `/dev/null`.
        case empty
        /// A pipe whose writing end is `standardInput`; close it to send end-of-file.
        case pipe
    }

    public let pid: Int32
    /// The writing end of the child's stdin when it was started with `.pipe`.
    public let standardInput: FileHandle?
    private let stdoutCapture: String?
    private let stderrCapture: String?
    private let lock = NSLock()
    private var exitStatus: Int32?
    private var endingSignal: Int32?

    /// Starts `executable` (an absolute path) with `arguments`.
    /// `environment` replaces the parent's environment when given.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, stdin: Input = .empty, stdout: Output = .discard, stderr: Output = .discard
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // Both ends close on exec; dup2 onto 0 gives the child a copy without that flag.
        var inputPipe: [Int32] = [-1, -1]
        switch stdin {
        case .empty:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe:
            guard pipe(&inputPipe) == 0 else { throw SpawnError(executable: executable, errno: errno) }
            // (pipe2 is a GNU extension Swift does not import; the child's closefrom covers the gap.)
            for end in inputPipe { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        }
        defer { if inputPipe[0] >= 0 { close(inputPipe[0]) } }
        let outFile = try Self.redirect(stdout, to: 1, actions: &actions)
        let errFile = try Self.redirect(stderr, to: 2, actions: &actions)
        stdoutCapture = outFile
        stderrCapture = errFile
        guard GlibcSpawnExtensions.closeFrom(&actions, 3) == 0 else {
            throw SpawnError(executable: executable, errno: ENOSYS)
        }
        if let directory {
            guard GlibcSpawnExtensions.changeDirectory(&actions, directory) == 0 else {
                throw SpawnError(executable: executable, errno: ENOSYS)
            }
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }

        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, variables)
        guard result == 0 else {
            [outFile, errFile].compactMap { $0 }.forEach { unlink($0) }
            if inputPipe[1] >= 0 { close(inputPipe[1]) }
            throw SpawnError(executable: executable, errno: result)
        }
        pid = child
        standardInput = inputPipe[1] >= 0 ? FileHandle(fileDescriptor: inputPipe[1], closeOnDealloc: true) : nil
    }

    deinit {
        [stdoutCapture, stderrCapture].compactMap { $0 }.forEach { unlink($0) }
    }

    /// Runs to the end and returns the exit status and captured output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) throws -> Finished {
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory, stdout: .capture, stderr: .capture)
        let status = child.waitUntilExit()
        return Finished(status: status, stdoutData: Self.read(child.stdoutCapture), stderrData: Self.read(child.stderrCapture))
    }

    /// Blocks the calling thread until the child ends.
    @discardableResult
    public func waitUntilExit() -> Int32 {
        while true {
            if let status = reap(blocking: true) { return status }
        }
    }

    /// Waits without blocking a thread: polls every few milliseconds.
    @discardableResult
    public func waitForExit() async -> Int32 {
        while true {
            if let status = reap(blocking: false) { return status }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Whether the child is still running (reaps it if it has ended).
    public var isRunning: Bool { reap(blocking: false) == nil }

    /// The exit status once the child has been reaped, nil before.
    public var status: Int32? { lock.withLock { exitStatus } }

    /// The signal that ended the child, if one did.
    public var terminatingSignal: Int32? { lock.withLock { endingSignal } }

    /// Sends `signal` unless the child has already been reaped (its pid may be reused).
    public func send(_ signal: Int32) {
        lock.withLock {
            if exitStatus == nil { _ = kill(pid, signal) }
        }
    }

    /// What the child wrote so far to a `.capture` stdout.
    public var capturedStdout: String { String(decoding: Self.read(stdoutCapture), as: UTF8.self) }
    /// What the child wrote so far to a `.capture` stderr.
    public var capturedStderr: String { String(decoding: Self.read(stderrCapture), as: UTF8.self) }

    // MARK: -

    private func reap(blocking: Bool) -> Int32? {
        lock.withLock {
            if let exitStatus { return exitStatus }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
            if result == 0 || (result < 0 && errno == EINTR) { return nil }
            // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
            let signal = raw & 0x7f
            let status = result < 0 ? -1 : (signal == 0 ? (raw >> 8) & 0xff : 128 + signal)
            exitStatus = status
            if result > 0 && signal != 0 { endingSignal = signal }
            return status
        }
    }

    private static func redirect(_ output: Output, to fd: Int32, actions: inout posix_spawn_file_actions_t) throws -> String? {
        switch output {
        case .discard:
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
            return nil
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            return nil
        case .capture:
            var template = Array("\(NSTemporaryDirectory())/yidan-child-XXXXXX".utf8CString)
            let handle = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard handle >= 0 else { throw SpawnError(executable: "mkstemp", errno: errno) }
            close(handle)
            let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_TRUNC, 0)
            return path
        }
    }

    private static func read(_ path: String?) -> Data {
        guard let path else { return Data() }
        return FileManager.default.contents(atPath: path) ?? Data()
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34) and
/// `posix_spawn_file_actions_addchdir_np` (2.29). Swift's Glibc module does
/// not import these GNU extensions, so they are looked up by name once.
enum GlibcSpawnExtensions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static let closeFromSymbol: CloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    private static let changeDirectorySymbol: ChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")

    static func closeFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Int32 {
        guard let closeFromSymbol else { return ENOSYS }
        return closeFromSymbol(&actions, lowest)
    }

    static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, _ path: String) -> Int32 {
        guard let changeDirectorySymbol else { return ENOSYS }
        return path.withCString { changeDirectorySymbol(&actions, $0) }
    }

    private static func symbol<T>(_ name: String) -> T? {
        // nil is RTLD_DEFAULT on glibc: search the libraries already loaded.
        guard let address = dlsym(nil, name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
