import ArgumentParser
import Foundation
import YidanCore
import YidanStore

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List filings, newest first, optionally by status.",
        discussion: """
        Statuses: \(FilingStatus.allCases.map(\.rawValue).joined(separator: ", ")).

        Examples:
          yidan list --status rejected
          yidan list --status dead --limit 20
          yidan list --summary
        """
    )

    @Option(name: .long, help: "Only filings with this status.")
    var status: String?

    @Option(name: .long, help: "At most this many rows.")
    var limit: Int = 100

    @Flag(name: .long, help: "Print the number of filings per status instead.")
    var summary = false

    @Flag(name: .long, help: "List receipts that matched no filing instead.")
    var unmatched = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if let status, FilingStatus(rawValue: status) == nil {
            throw ValidationError("--status: \"\(status)\" is not a status; use one of \(FilingStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard limit > 0 else { throw ValidationError("--limit: \(limit) must be at least 1") }
    }

    func run() async throws {
        let store = try SQLiteFilingStore(path: storeOptions.store)
        if summary {
            let counts = try await store.statusCounts()
            for status in FilingStatus.allCases where (counts[status] ?? 0) > 0 {
                print("\(status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(counts[status] ?? 0)")
            }
            return
        }
        if unmatched {
            for receipt in try await store.unmatchedReceipts(limit: limit) {
                print("\(receipt.kind.rawValue)  \(receipt.returnStatus)  \(receipt.returnTime)  \(receipt.returnInfo)")
            }
            return
        }
        let filings = try await store.filings(status: status.flatMap(FilingStatus.init(rawValue:)), limit: limit)
        if filings.isEmpty {
            print("no filings" + (status.map { " with status \($0)" } ?? ""))
            return
        }
        print(FilingTable.render(filings, showOrder: true))
    }
}
