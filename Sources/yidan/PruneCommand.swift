import ArgumentParser
import Foundation
import YidanCore
import YidanStore

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove message bytes and personal data of finished orders past retention, and free the space.",
        discussion: """
        An order whose filings are all final and untouched for longer than --older-than loses its order JSON, \
        the signed bytes of its filings, and its receipts' and tax bills' bytes. Statuses, receipt codes, times \
        and the audit trail's digests stay, so `yidan status` and `yidan audit verify` still work. The file is \
        compacted afterwards (VACUUM), so the space really goes back to the disk.

        Examples:
          yidan prune --older-than 180d
          yidan prune --older-than 36h --store /var/lib/yidan/yidan.sqlite
        """
    )

    @Option(name: .long, help: "Retention: a number with d (days) or h (hours), e.g. 180d.")
    var olderThan: String

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        _ = try Self.seconds(olderThan)
    }

    /// `180d` → 180 days in seconds; `36h` → 36 hours.
    static func seconds(_ text: String) throws -> TimeInterval {
        guard let unit = text.last, let number = Int(text.dropLast()), number > 0 else {
            throw ValidationError("--older-than: \"\(text)\" must be a positive number followed by d or h, e.g. 180d")
        }
        switch unit {
        case "d": return TimeInterval(number) * 86_400
        case "h": return TimeInterval(number) * 3_600
        default: throw ValidationError("--older-than: \"\(text)\" must end in d (days) or h (hours)")
        }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        let now = Date()
        let report = try await store.prune(finishedBefore: now.addingTimeInterval(-(try Self.seconds(olderThan))), now: now)
        print("""
            pruned \(report.orders) order\(report.orders == 1 ? "" : "s"): \(report.filings) filing payloads, \
            \(report.receipts) receipts; store \(report.bytesBefore) → \(report.bytesAfter) bytes
            """)
    }
}
