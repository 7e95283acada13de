public import Foundation
public import Logging
public import ServiceLifecycle

/// Picks up receipt files dropped into an inbox folder, as a customs
/// data-exchange client delivers them, and applies them.
///
/// A file is applied first and moved to `processed/` after; a crash in between
/// applies it again on restart, which the lifecycle makes harmless (the status
/// cannot move twice; the history notes the repeat). Files that cannot be read
/// go to `failed/` with the reason in the log, so nothing is silently dropped.
public struct InboxWatcher: Service {
    public let directory: URL
    public let applier: ReceiptApplier
    public let pollInterval: Duration
    let logger: Logger

    public init(directory: URL, applier: ReceiptApplier, pollInterval: Duration = .milliseconds(100), logger: Logger = Logger(label: "yidan.inbox")) {
        self.directory = directory
        self.applier = applier
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        try prepareFolders()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            _ = try await scanOnce()
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// Applies every `.xml` file present now, oldest name first; returns how many.
    @discardableResult
    public func scanOnce() async throws -> Int {
        try prepareFolders()
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".xml") && !$0.hasPrefix(".") }
            .sorted()
        var handled = 0
        for name in names {
            let file = directory.appendingPathComponent(name)
            do {
                let bytes = try Data(contentsOf: file)
                try await applier.apply(bytes: bytes, channel: "inbox")
                try move(file, to: "processed")
            } catch {
                logger.error("receipt file refused", metadata: ["file": "\(name)", "error": "\(error)"])
                try? move(file, to: "failed")
            }
            handled += 1
        }
        return handled
    }

    private func prepareFolders() throws {
        let manager = FileManager.default
        for sub in ["", "processed", "failed"] {
            try manager.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    private func move(_ file: URL, to folder: String) throws {
        let target = directory.appendingPathComponent(folder).appendingPathComponent(file.lastPathComponent)
        let manager = FileManager.default
        if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
        try manager.moveItem(at: file, to: target)
    }
}
