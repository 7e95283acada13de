import Foundation
import Testing
import YidanChildProcess
import YidanCore
import YidanStore

/// Paths and helpers shared by the end-to-end tests.
enum Harness {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappings = packageRoot.appendingPathComponent("Mappings", isDirectory: true)
    static let orders = packageRoot.appendingPathComponent("Fixtures/orders", isDirectory: true)

    static func orderFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: orders.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
            .map { orders.appendingPathComponent($0) }
    }

    /// A fresh folder, removed by the caller with `removeItem`.
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-e2e-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The `yidan` executable SwiftPM built beside this test bundle.
    static func yidanBinary() throws -> URL {
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["YIDAN_BINARY"] {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        if let first = CommandLine.arguments.first {
            var folder = URL(fileURLWithPath: first).deletingLastPathComponent()
            // On some layouts the test binary sits inside a `.xctest` bundle folder.
            for _ in 0..<3 {
                candidates.append(folder.appendingPathComponent("yidan"))
                folder = folder.deletingLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/yidan"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw YidanError(.notFound, "no yidan executable among \(candidates.map(\.path))")
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    /// This waits for another process or server to reach a state; it measures nothing.
    static func eventually(timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: interval)
        }
        return try await condition()
    }

    static func allFilings(_ store: any FilingStore) async throws -> [FilingRecord] {
        try await store.filings(status: nil, limit: 10_000)
    }

    static func isFinal(_ filing: FilingRecord) -> Bool {
        filing.status.isTerminal(for: filing.kind)
    }
}

/// A `yidan` child process with its output captured to files.
final class YidanProcess {
    let arguments: [String]
    let folder: URL
    let environment: [String: String]
    let stdoutURL: URL
    let stderrURL: URL
    private(set) var child: ChildProcess?

    init(arguments: [String], folder: URL, name: String, environment extra: [String: String] = [:]) throws {
        self.arguments = arguments
        self.folder = folder
        var environment = ProcessInfo.processInfo.environment
        environment["YIDAN_MAPPINGS"] = Harness.mappings.path
        for (key, value) in extra { environment[key] = value }
        self.environment = environment
        stdoutURL = folder.appendingPathComponent("\(name).out")
        stderrURL = folder.appendingPathComponent("\(name).err")
    }

    /// Starts the child; with `.pipe`, `standardInput` is its stdin.
    func start(stdin: ChildProcess.Input = .empty) throws {
        child = try ChildProcess(
            try Harness.yidanBinary().path, arguments, environment: environment, directory: folder.path,
            stdin: stdin, stdout: .file(stdoutURL.path), stderr: .file(stderrURL.path)
        )
    }

    var standardInput: FileHandle? { child?.standardInput }

    /// Runs to completion and returns the exit status with both outputs.
    static func run(_ arguments: [String], folder: URL, name: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try YidanProcess(arguments: arguments, folder: folder, name: name)
        try child.start()
        await child.waitForExit()
        return (child.terminationStatus, child.stdout, child.stderr)
    }

    func waitForExit() async {
        await child?.waitForExit()
    }

    /// The exit status (128 + signal when a signal ended it); -1 before it ends.
    var terminationStatus: Int32 { child?.status ?? -1 }
    /// Whether a signal (not an exit) ended the child.
    var endedBySignal: Bool { child?.terminatingSignal != nil }

    func kill(_ signal: Int32) {
        child?.send(signal)
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
}
