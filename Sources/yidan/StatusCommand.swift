import ArgumentParser
import Foundation
import YidanCore
import YidanMapping
import YidanRouter
import YidanStore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show an order's overall status and every filing: status, attempts and the last receipt.",
        discussion: """
        An order `yidan serve` acknowledged with 202 (Prefer: respond-async) shows as waiting until \
        it is filed, or as refused with the reason (exit status 65).

        Examples:
          yidan status YD20261111000001
          yidan status YD20261111000001 --history
        """
    )

    @Argument(help: "The order number.")
    var orderNo: String

    @Flag(name: .long, help: "Also list every filing version (amended ones included) with its attempts and receipts, oldest first.")
    var history = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try await storeOptions.open()
        let filings = try await store.filings(orderNo: orderNo)
        guard !filings.isEmpty else {
            // Acknowledged by `yidan serve` (202, Prefer: respond-async) and not filed yet, or refused.
            if let queued = try await store.queuedOrder(orderNo: orderNo), queued.state != .filed {
                print(Self.queuedLine(queued))
                if queued.state == .refused { throw ExitCode(65) }
                return
            }
            throw CLIFailure("no order \(orderNo) in \(try storeOptions.location().redacted)", exitCode: 66)
        }
        // The order's status and table: the latest version of each filing
        // (an amendment's); `--history` lists every version (FilingVersions).
        let latest = FilingVersions.latest(filings)
        let rollup = OrderRollup.status(of: latest.map {
            FilingSummary(kind: $0.kind, status: $0.status, lastReturnStatus: $0.lastReturnStatus, lastReturnInfo: $0.lastReturnInfo, lastError: $0.lastError)
        })
        print("order \(orderNo): \(rollup)")
        print(FilingTable.render(latest.sorted { $0.kind < $1.kind }, showOrder: false))
        let superseded = filings.count - latest.count
        if superseded > 0 {
            print("(\(superseded) superseded version\(superseded == 1 ? "" : "s") not shown; --history lists every version)")
        }
        for bill in try await store.taxBills(orderNo: orderNo) {
            print(TaxBillLines.render(bill))
        }
        if let entryId = try await store.entryId(orderNo: orderNo) {
            // The customs declaration number a summarised export received (CEB792).
            print("customs declaration (entryId): \(entryId)")
        }
        if history {
            // Each receipt code explained (Mappings/tables/receipt-codes.csv), when the mappings are found.
            let codes = try? ReceiptCodeTable.load(mappingsDirectory: MappingCatalog.locate())
            for filing in filings.sorted(by: { $0.kind < $1.kind }) {
                let receipts = try await store.receipts(filingID: filing.id)
                let attempts = try await store.attempts(filingID: filing.id)
                print("\n\(filing.kind.rawValue) \(filing.id)\(Self.versionNote(filing, in: filings))")
                for attempt in attempts {
                    let outcome = attempt.error.map { "error: \($0)" } ?? "HTTP \(attempt.httpStatus.map(String.init) ?? "-")"
                    print("  attempt \(attempt.number)  \(ZonedDateTime(instant: attempt.startedAt, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds).iso8601)  \(outcome)  \(Int(attempt.latencyMilliseconds)) ms")
                }
                for receipt in receipts {
                    print("  receipt \(receipt.kind.rawValue) \(receipt.returnStatus.padding(toLength: 4, withPad: " ", startingAt: 0)) \(receipt.returnTime)  \(receipt.returnInfo)\(receipt.moved ? "" : "  (kept, status unchanged)")")
                    if let meaning = codes?.explain(kind: receipt.kind, code: receipt.returnStatus) {
                        print("    \(receipt.returnStatus): \(meaning.en) / \(meaning.zh)")
                    }
                }
            }
        }
    }

    /// An order still in the queue: waiting since when, or refused and why (values masked).
    static func queuedLine(_ queued: QueuedOrder) -> String {
        let received = ZonedDateTime(instant: queued.receivedAt, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds).iso8601
        switch queued.state {
        case .waiting, .filed:
            return "order \(queued.orderNo): accepted \(received), waiting to be filed (nothing sent yet)"
        case .refused:
            return "order \(queued.orderNo): refused, nothing was filed (accepted \(received)); fix the order and send it again\n\(queued.problem ?? "")"
        }
    }

    /// " v2, amends …" / " v1, superseded by …": where a filing stands among its versions.
    static func versionNote(_ filing: FilingRecord, in filings: [FilingRecord]) -> String {
        guard filing.purpose == .declare || filing.purpose == .amend else {
            return filing.supersedes.map { " (\(filing.purpose.rawValue) of \($0))" } ?? " (\(filing.purpose.rawValue))"
        }
        let version = FilingVersions.version(of: filing, in: filings)
        var note = " v\(version)"
        if filing.purpose == .amend, let earlier = filing.supersedes { note += ", amends \(earlier)" }
        if let later = filings.first(where: { $0.purpose == .amend && $0.supersedes == filing.id }) {
            note += ", superseded by \(later.id)"
        }
        return note
    }
}

/// The table `status` and `list` print. Filings hold no personal data beyond
/// the signed payload, which is never printed.
enum FilingTable {
    /// The LAST RECEIPT column: the latest returnStatus and its text, else the last delivery error.
    static func lastReceipt(_ code: String?, _ info: String?, error: String?) -> String {
        if let code { return code + (info.map { " " + $0 } ?? "") }
        return error.map { "error: " + $0 } ?? "-"
    }

    static func render(_ filings: [FilingRecord], showOrder: Bool) -> String {
        var rows: [[String]] = [
            (showOrder ? ["ORDER"] : []) + ["KIND", "FILING", "STATUS", "ATTEMPTS", "LAST RECEIPT"],
        ]
        for filing in filings {
            let last = Self.lastReceipt(filing.lastReturnStatus, filing.lastReturnInfo, error: filing.lastError)
            rows.append(
                (showOrder ? [filing.orderNo] : [])
                    + ["\(filing.kind.rawValue) \(filing.kind.label)\(filing.purpose == .reversal ? " reversal" : "")", filing.id, filing.status.rawValue, String(filing.attempts), last]
            )
        }
        return align(rows)
    }

    static func align(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columns - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index < columns - 1 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
