import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import ServiceLifecycle
import Testing
import YidanCore
import YidanIngest
import YidanRouter
import YidanServer
import YidanSimulator
import YidanStore

/// A running `yidan serve` in this process: the embedded deployment (simulator,
/// dispatcher, receipt listener) and the API server on a loopback port, with a
/// real SQLite store in a temp folder and one key per role.
final class ServerHarness: Sendable {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let orders = packageRoot.appendingPathComponent("Fixtures/orders")

    /// The merchant of `milk-powder-9610.json` and another one.
    static let merchantA = "4401960E02"
    static let merchantB = "4401960E05"

    let folder: URL
    let session: EmbeddedDeployment
    let store: any BrokerStore & AccessStore
    let server: APIServer
    let baseURL: URL
    let keys: [String: String]
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(folder: URL, session: EmbeddedDeployment, store: any BrokerStore & AccessStore, server: APIServer, baseURL: URL, keys: [String: String], group: ServiceGroup, task: Task<Void, any Error>) {
        self.folder = folder
        self.session = session
        self.store = store
        self.server = server
        self.baseURL = baseURL
        self.keys = keys
        self.group = group
        self.task = task
    }

    static func start(_ name: String, stepDelay: Duration = .milliseconds(50), deadline: Duration = .seconds(3600)) async throws -> ServerHarness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-server-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let environment = try YidanEnvironment(
            storePath: folder.appendingPathComponent("yidan.sqlite").path,
            mappingsPath: packageRoot.appendingPathComponent("Mappings").path
        )
        let store = try #require(environment.store as? any BrokerStore & AccessStore)
        var logger = Logger(label: "yidan-server-test")
        logger.logLevel = .critical
        let session = try await EmbeddedDeployment.start(environment: environment, stepDelay: stepDelay, logger: logger)
        var keys: [String: String] = [:]
        let holders: [(String, APIRole, String, Set<String>)] = [
            ("admin", .admin, "ops", []),
            ("merchantA", .merchant, merchantA, []),
            ("merchantB", .merchant, merchantB, []),
            ("brokerA", .broker, "4401980B01", [merchantA]),
            ("brokerB", .broker, "4401980B02", [merchantB]),
        ]
        for (name, role, subject, merchants) in holders {
            let key = APIKey.generate()
            _ = try await store.addAPIKey(hash: APIKey.hash(key), role: role, subject: subject, merchants: merchants, label: name, at: Date())
            keys[name] = key
        }
        let server = try APIServer(
            runtime: session.runtime, store: store, normalizer: NormalizedOrderJSONNormalizer(),
            settings: ServerSettings(port: 0, deadline: deadline, streamPollInterval: .milliseconds(50), streamHeartbeat: .seconds(1)),
            trace: try TraceRoutes(storePath: folder.appendingPathComponent("yidan.sqlite").path, mappingsDirectory: packageRoot.appendingPathComponent("Mappings"))
        )
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server.application(logger: logger, onRunning: { continuation.yield($0) }))], logger: logger
        ))
        let task = Task { try await group.run() }
        var port = 0
        for await bound in ports { port = bound; break }
        let baseURL = try #require(URL(string: "http://127.0.0.1:\(port)"))
        return ServerHarness(folder: folder, session: session, store: store, server: server, baseURL: baseURL, keys: keys, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        await session.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func key(_ name: String) -> String { keys[name] ?? "" }

    /// One request over loopback HTTP (URLSession is libcurl on Linux).
    func request(_ method: String, _ path: String, key: String? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws -> (status: Int, body: Data, headers: [String: String]) {
        var request = URLRequest(url: try #require(URL(string: path, relativeTo: baseURL)))
        request.httpMethod = method
        request.httpBody = body
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (http.statusCode, data, fields)
    }

    func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func order(_ file: String = "milk-powder-9610.json") throws -> Data {
        try Data(contentsOf: orders.appendingPathComponent(file))
    }

    /// Polls until `condition` holds or the timeout passes (waits for the pipeline; measures nothing).
    static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
