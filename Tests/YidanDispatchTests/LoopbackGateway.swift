import Foundation
import Hummingbird
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Request context that remembers the client's port, so tests can see which
/// TCP connection served a request.
struct PeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remotePort: Int?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remotePort = source.channel.remoteAddress?.port
    }
}

/// What the test server saw.
final class RequestLog: Sendable {
    struct Entry: Sendable {
        var path: String
        var remotePort: Int?
        var idempotencyKey: String?
        var contentType: String?
        var body: Data
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ entry: Entry) -> Int {
        entries.withLock {
            $0.append(entry)
            return $0.count
        }
    }

    var all: [Entry] { entries.withLock { $0 } }
    func count(path: String) -> Int { entries.withLock { $0.filter { $0.path == path }.count } }
}

/// A one-shot latch: `wait()` returns once `open()` was called (before or after).
final class Gate: Sendable {
    private struct State {
        var open = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var timedWaiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = Mutex(State())

    func open() {
        let (waiters, timed) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [CheckedContinuation<Bool, Never>]) in
            state.open = true
            defer {
                state.waiters.removeAll()
                state.timedWaiters.removeAll()
            }
            return (state.waiters, Array(state.timedWaiters.values))
        }
        for waiter in waiters { waiter.resume() }
        for waiter in timed { waiter.resume(returning: true) }
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// True once opened; false when `timeout` passed first, so a test whose
    /// gate never opens fails instead of hanging.
    func wait(upTo timeout: Duration) async -> Bool {
        let id = UUID()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.open { return true }
                state.timedWaiters[id] = continuation
                return false
            }
            if ready {
                continuation.resume(returning: true)
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                self.state.withLock { $0.timedWaiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
    }
}

extension HTTPFields {
    /// The first value of a header, by case-insensitive name.
    func value(named name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.canonicalName == wanted }?.value
    }
}

/// Runs a Hummingbird application on 127.0.0.1 with a port the system picks,
/// hands the port to `body`, then stops the server.
func withLoopbackServer<T: Sendable>(
    _ router: Router<PeerContext>,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var logger = Logger(label: "yidan.test.gateway")
    logger.logLevel = .critical
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: logger
    )
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await app.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            group.cancelAll()
            throw TestSetupError("the test server did not report a port")
        }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A loopback port that refuses connections for as long as this value lives:
/// the socket is bound (so no other test's server can take the port while
/// the suite runs in parallel) but never listens, so a connect gets a reset.
final class ClosedLoopbackPort {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            close(fd)
            throw TestSetupError("bind() or getsockname() failed")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
