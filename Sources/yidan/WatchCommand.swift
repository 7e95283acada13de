import ArgumentParser
import Foundation
import YidanCore
import YidanStore

#if canImport(Glibc)
import Glibc
#endif

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch filings live: a refreshing, coloured table on a terminal; one line per status change otherwise.",
        discussion: """
        On a terminal (or with --table) the screen is redrawn every --interval seconds: counts per authority and \
        status, then the newest filings matching the filters (as `yidan list`), status in colour (red refused or \
        dead, green final, yellow held by customs, cyan in the outbox), STUCK on filings without a final status \
        after --deadline minutes. Piped (or with --plain) it prints one line per status change as it is committed: \
        time, order, merchant, kind, filing, from -> to, cause, returnStatus. --once draws one table, or prints the \
        changes logged so far, and exits. Ctrl-C stops.

        Examples:
          yidan watch --authority customs --deadline 30
          yidan watch --merchant 3301960AAA --plain | tee changes.log
          yidan watch --once --plain --from 0
        """
    )

    @OptionGroup var filters: FilingFilterOptions

    @Option(name: .long, help: "Rows in the table.")
    var limit: Int = 30

    @Option(name: .long, help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(name: .long, help: "Minutes after which a filing without a final status is flagged STUCK.")
    var deadline: Int = 60

    @Option(name: .long, help: "Plain mode: print changes after this change id (default: the newest now; with --once: 0).")
    var from: Int64?

    @Flag(name: .long, help: "Draw once (or print the changes so far) and exit.")
    var once = false

    @Flag(name: .long, help: "Force the refreshing table even when stdout is not a terminal.")
    var table = false

    @Flag(name: .long, help: "Force one line per change even on a terminal.")
    var plain = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        _ = try filters.query(limit: 1, after: nil, now: Date())
        guard (1...FilingQuery.maximumLimit).contains(limit) else { throw ValidationError("--limit: 1 to \(FilingQuery.maximumLimit)") }
        guard interval >= 0.1 else { throw ValidationError("--interval: at least 0.1 seconds") }
        guard deadline >= 0 else { throw ValidationError("--deadline: minutes must not be negative") }
        guard !(table && plain) else { throw ValidationError("--table and --plain exclude each other") }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        let tableMode = table || (!plain && isatty(STDOUT_FILENO) == 1)
        if tableMode {
            try await runTable(store)
        } else {
            try await runLines(store)
        }
    }

    func runTable(_ store: some BrokerStore) async throws {
        repeat {
            let now = Date()
            let page = try await store.filings(matching: try filters.query(limit: limit, after: nil, now: now))
            let counts = try await store.statusCountsByAuthority()
            let cutoff = now.addingTimeInterval(-Double(deadline) * 60)
            let stuck = try await store.stuckFilings(before: cutoff, limit: FilingQuery.maximumLimit).count
            var frame = once ? "" : "\u{1B}[H\u{1B}[2J"
            frame += ANSIColour.bold("yidan watch  \(DeskTable.beijing(now)) (Beijing)  stuck past \(deadline) min: \(stuck)") + "\n"
            for authority in Authority.allCases {
                let line = FilingStatus.allCases.compactMap { status in
                    counts[authority]?[status].map { ANSIColour.paint("\(status.rawValue) \($0)", for: status) }
                }
                frame += "\(authority.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) " + (line.isEmpty ? "-" : line.joined(separator: "  ")) + "\n"
            }
            frame += "\n" + (page.filings.isEmpty ? "no filings" : DeskTable.render(page.filings, deadline: cutoff, colours: true))
            Self.write(frame + "\n")
            if once { return }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        } while !Task.isCancelled
    }

    func runLines(_ store: some BrokerStore) async throws {
        let query = try filters.query(limit: 1, after: nil, now: Date())
        var last: Int64
        if let from {
            last = from
        } else {
            last = once ? 0 : try await store.lastStatusChangeID()
        }
        while !Task.isCancelled {
            let changes = try await store.statusChanges(after: last, limit: 500)
            let lines = changes.filter { Self.matches($0, query) }.map { Self.line($0) + "\n" }
            Self.write(lines.joined())
            last = changes.last?.id ?? last
            if changes.count == 500 { continue }
            if once { return }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    /// Unbuffered, so a pipe sees each change as it happens.
    static func write(_ text: String) {
        guard !text.isEmpty else { return }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The list filters, applied to a change (status means the status moved to).
    static func matches(_ change: StatusChange, _ query: FilingQuery) -> Bool {
        if let statuses = query.statuses, !statuses.contains(change.to) { return false }
        if let kinds = query.allowedKinds, !kinds.contains(change.kind) { return false }
        if let merchants = query.merchants, !merchants.contains(change.merchant ?? "") { return false }
        if let orderNo = query.orderNo, orderNo != change.orderNo { return false }
        return true
    }

    static func line(_ change: StatusChange) -> String {
        var text = "\(DeskJSON.iso(change.at))  #\(change.id)  \(change.orderNo)  \(change.merchant ?? "-")  \(change.kind.rawValue)  "
            + "\(change.filingID)  \(change.from?.rawValue ?? "new") -> \(change.to.rawValue)  (\(change.cause.rawValue))"
        if let code = change.returnStatus { text += "  returnStatus \(code)" }
        return text
    }
}
