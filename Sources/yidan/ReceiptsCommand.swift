import ArgumentParser
import Foundation
import Logging
import YidanCore
import YidanRouter
import YidanStore

struct ReceiptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipts",
        abstract: "Work with authority receipts received outside yidan.",
        subcommands: [ReceiptsImportCommand.self]
    )
}

struct ReceiptsImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Apply every receipt file (*.xml) in a folder, as the inbox does, and report what they did.",
        discussion: """
        Files are read in name order with the inbox's parser (CEB receipts, tax and FX receipts, CEB792 summary \
        results, CEB816 tax bills) and left where they are: importing the same folder again is harmless, every \
        receipt then counts as a duplicate. Counts: applied (moved a filing), duplicate (kept in the history, \
        status unchanged: repeated, late or out of order), unmatched (no filing has its guid; kept and listed by \
        `yidan list --unmatched`), tax bills, and files that could not be read (exit status 65).

        Examples:
          yidan receipts import ./receipts-2026-11-11
          yidan receipts import /mnt/dxp/outbox --store /var/lib/yidan/yidan.sqlite
        """
    )

    @Argument(help: "The folder holding receipt files.")
    var directory: String

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The Mappings/ folder (default: ./Mappings, then beside the executable). Env: YIDAN_MAPPINGS.")
    var mappings: String?

    func run() async throws {
        let folder = URL(fileURLWithPath: directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.lowercased().hasSuffix(".xml") && !$0.hasPrefix(".") }.sorted()
        } catch {
            throw CLIFailure("cannot read the folder \(directory)", exitCode: 66)
        }
        let environment = try YidanEnvironment(store: try await storeOptions.open(), mappingsPath: mappings)
        var logger = Logger(label: "yidan.receipts")
        logger.logLevel = .error
        let applier = RouterRuntime.receiptApplier(environment: environment, logger: logger, wake: {})
        var counts = ImportCounts()
        for name in names {
            do {
                let bytes = try Data(contentsOf: folder.appendingPathComponent(name))
                let effects = try await applier.apply(bytes: bytes, channel: "import")
                if effects.isEmpty { counts.taxBills += 1 }
                for effect in effects { counts.add(effect) }
            } catch {
                counts.failed += 1
                FileHandle.standardError.write(Data("yidan: \(name) not applied: \(Self.safeDescription(error))\n".utf8))
            }
        }
        print("\(names.count) file\(names.count == 1 ? "" : "s"): \(counts.applied) applied, \(counts.duplicate) duplicate, "
            + "\(counts.unmatched) unmatched, \(counts.taxBills) tax bill\(counts.taxBills == 1 ? "" : "s"), \(counts.failed) failed")
        if counts.failed > 0 {
            throw CLIFailure("\(counts.failed) file\(counts.failed == 1 ? "" : "s") could not be applied", exitCode: 65)
        }
    }

    /// A YidanError's message is safe to show; anything else is named by type only.
    static func safeDescription(_ error: any Error) -> String {
        (error as? YidanError)?.description ?? String(describing: type(of: error))
    }
}

/// What an import did, receipt by receipt.
struct ImportCounts {
    var applied = 0
    var duplicate = 0
    var unmatched = 0
    var taxBills = 0
    var failed = 0

    mutating func add(_ effect: ReceiptEffect) {
        switch effect {
        case .advanced: applied += 1
        case .recordedOnly: duplicate += 1
        case .unmatched: unmatched += 1
        }
    }
}
