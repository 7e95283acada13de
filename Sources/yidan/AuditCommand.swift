import ArgumentParser
import Foundation
import YidanCore
import YidanStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the hash-chained audit trail, or export everything on record for one order.",
        discussion: """
        Every message accepted, sent and received is an entry of an append-only audit trail holding the SHA-256 \
        digest of the exact bytes, each entry chained to the one before it. `verify` walks the whole chain and \
        names the first broken link; `export` writes what a regulator asks for about one order.

        Examples:
          yidan audit verify
          yidan audit export YD20261129-0001 --out audit-YD20261129-0001
        """,
        subcommands: [AuditVerifyCommand.self, AuditExportCommand.self]
    )
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every link of the audit trail; exit 65 at the first broken one.",
        discussion: """
        Examples:
          yidan audit verify --store yidan.sqlite
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try await storeOptions.open()
        var entries: [AuditEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await store.auditEntries(after: after, limit: 5_000)
            entries += page
            guard let last = page.last else { break }
            after = last.sequence
        }
        let result = AuditTrail.verify(entries)
        if let broken = result.firstBroken {
            throw CLIFailure("audit trail broken at entry \(broken.sequence) of \(entries.count): \(broken.reason)", exitCode: 65)
        }
        let tip = entries.last.map { " (last entry \($0.sequence), hash \($0.hash.prefix(16))…)" } ?? ""
        print("audit trail intact: \(entries.count) entr\(entries.count == 1 ? "y" : "ies")\(tip)")
    }
}

struct AuditExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one order's record for a regulator: order, every filing's exact bytes, receipts, attempts, audit entries.",
        discussion: """
        The folder holds `order.json` (the normalized order, unmasked: the regulator is entitled to it), \
        `filings/KIND-GUID.xml` (the signed bytes sent), `receipts/N-KIND.xml` (as received), `attempts.json`, \
        `audit.json` (the order's audit entries) and `manifest.json` (each file's SHA-256). Each filing's \
        SHA-256 equals its `accepted` audit entry's digest. After pruning only the record and digests remain.

        Examples:
          yidan audit export YD20261129-0001 --out audit-YD20261129-0001
        """
    )

    @Argument(help: "The order number.")
    var orderNo: String

    @Option(name: .long, help: "Folder to create (must not exist).")
    var out: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try await storeOptions.open()
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty else {
            throw CLIFailure("no order \(orderNo) in \(try storeOptions.location().redacted)", exitCode: 66)
        }
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw CLIFailure("--out: \(out) already exists", exitCode: 65)
        }
        var writer = ExportFolder(root: folder)
        try writer.create("filings")
        try writer.create("receipts")
        if let json = try await store.orderJSON(orderNo: orderNo) {
            try writer.write("order.json", json)
        }
        var attempts: [[String: String]] = []
        var receiptNumber = 0
        for filing in filings {
            if !filing.payload.isEmpty {
                try writer.write("filings/\(filing.kind.rawValue)-\(filing.id).xml", filing.payload)
            }
            for attempt in try await store.attempts(filingID: filing.id) {
                attempts.append([
                    "filing": filing.id, "number": String(attempt.number),
                    "startedAt": ISO8601DateFormatter().string(from: attempt.startedAt),
                    "http": attempt.httpStatus.map(String.init) ?? "", "error": attempt.error ?? "",
                ])
            }
            for (index, raw) in try await store.receiptPayloads(filingID: filing.id).enumerated() where !raw.isEmpty {
                receiptNumber += 1
                try writer.write("receipts/\(receiptNumber)-\(filing.kind.rawValue)-\(index + 1).xml", raw)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writer.write("attempts.json", try encoder.encode(attempts))
        try writer.write("audit.json", try encoder.encode(try await store.auditEntries(orderNo: orderNo)))
        try writer.write("manifest.json", try encoder.encode(writer.digests))
        print("wrote \(writer.digests.count) files for \(orderNo) to \(folder.path)")
    }
}

/// A folder being filled, remembering each file's digest for the manifest.
struct ExportFolder {
    let root: URL
    var digests: [String: String] = [:]

    func create(_ name: String) throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent(name), withIntermediateDirectories: true)
    }

    mutating func write(_ name: String, _ data: Data) throws {
        try data.write(to: root.appendingPathComponent(name))
        digests[name] = AuditEntry.digest(data)
    }
}
