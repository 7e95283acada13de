import ArgumentParser
import Foundation
import YidanCore
import YidanMapping
import YidanStore

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List filings, newest first, filtered as the broker API filters them.",
        discussion: """
        Filters combine (AND); a filter given several values (repeated or comma-separated) matches any of them. \
        Statuses: \(FilingStatus.allCases.map(\.rawValue).joined(separator: ", ")). \
        Authorities: \(Authority.allCases.map(\.rawValue).joined(separator: ", ")). \
        Times (--since, --until): 2026-11-11T08:00:00+08:00, a day 2026-11-11 (Beijing), or an age such as 90m, 12h, 7d. \
        A page ends with the cursor of the next one (--after). With --deadline, filings that have no final status \
        and are older than that many minutes are marked STUCK (in JSON: "stuck": true).

        Examples:
          yidan list --status rejected
          yidan list --status dead,rejected --authority customs --since 24h
          yidan list --merchant 3301960AAA --kind CEB621 --json
          yidan list --limit 50 --after <cursor printed by the previous page>
          yidan list --stuck --deadline 30
          yidan list --summary
        """
    )

    @OptionGroup var filters: FilingFilterOptions

    @Option(name: .long, help: "At most this many rows (1-\(FilingQuery.maximumLimit)).")
    var limit: Int = 100

    @Option(name: .long, help: "Continue after this cursor (printed at the end of the previous page).")
    var after: String?

    @Option(name: .long, help: "Minutes after which a filing without a final status counts as stuck.")
    var deadline: Int?

    @Flag(name: .long, help: "Only stuck filings (no final status past --deadline, default 60 minutes), oldest first.")
    var stuck = false

    @Flag(name: .long, help: "Print JSON: {\"filings\": [...], \"next\": cursor or null}.")
    var json = false

    @Flag(name: .long, help: "Print the number of filings per status instead.")
    var summary = false

    @Flag(name: .long, help: "List receipts that matched no filing instead.")
    var unmatched = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        _ = try filters.query(limit: 1, after: nil, now: Date())
        guard (1...FilingQuery.maximumLimit).contains(limit) else {
            throw ValidationError("--limit: \(limit) must be 1 to \(FilingQuery.maximumLimit)")
        }
        if let after, FilingCursor(after) == nil { throw ValidationError("--after: \"\(after)\" is not a cursor from a previous page") }
        if let deadline, deadline < 0 { throw ValidationError("--deadline: minutes must not be negative") }
    }

    func run() async throws {
        let store = try await storeOptions.open()
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
        let now = Date()
        let cutoff = (stuck ? (deadline ?? 60) : deadline).map { now.addingTimeInterval(-Double($0) * 60) }
        let page: FilingPage
        if stuck, let cutoff {
            page = FilingPage(filings: try await store.stuckFilings(before: cutoff, limit: limit), next: nil)
        } else {
            page = try await store.filings(matching: try filters.query(limit: limit, after: after.flatMap(FilingCursor.init), now: now))
        }
        if json {
            // Each last receipt code explained, when the mappings are found.
            let codes = try? ReceiptCodeTable.load(mappingsDirectory: MappingCatalog.locate())
            print(try DeskJSON.page(page, deadline: cutoff, codes: codes))
            return
        }
        guard !page.filings.isEmpty else {
            let statuses = filters.status.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            print(stuck ? "no stuck filings" : "no filings" + (statuses.isEmpty ? "" : " with status " + statuses.joined(separator: ", ")))
            return
        }
        print(DeskTable.render(page.filings, deadline: cutoff, colours: false))
        if let next = page.next {
            print("next page: --after \(next)")
        }
    }
}

/// The filters `list` and `watch` share, the same as `GET /v1/filings`.
struct FilingFilterOptions: ParsableArguments {
    @Option(name: .long, help: "Only these statuses (repeat or comma-separate).")
    var status: [String] = []

    @Option(name: .long, help: "Only filings to these authorities: customs, tax, fx.")
    var authority: [String] = []

    @Option(name: .long, help: "Only these message kinds, e.g. CEB311, CEB621, TAX-IMPORT.")
    var kind: [String] = []

    @Option(name: .long, help: "Only these merchants (the order's ebcCode).")
    var merchant: [String] = []

    @Option(name: .customLong("order"), help: "Only this order's filings.")
    var orderNo: String?

    @Option(name: .long, help: "Created at or after this time (ISO 8601, a day, or an age: 90m, 12h, 7d).")
    var since: String?

    @Option(name: .long, help: "Created before this time (same forms as --since).")
    var until: String?

    /// The query, or a `ValidationError` naming the bad option.
    func query(limit: Int, after: FilingCursor?, now: Date) throws -> FilingQuery {
        FilingQuery(
            statuses: try Self.values(status, "--status") { FilingStatus(rawValue: $0.lowercased()) },
            authorities: try Self.values(authority, "--authority") { Authority(rawValue: $0.lowercased()) },
            kinds: try Self.values(kind, "--kind") { MessageKind(rawValue: $0.uppercased()) },
            merchants: try Self.values(merchant, "--merchant") { $0 },
            orderNo: orderNo,
            createdFrom: try since.map { try Self.time($0, "--since", now: now) },
            createdTo: try until.map { try Self.time($0, "--until", now: now) },
            limit: limit,
            after: after
        )
    }

    static func values<T: Hashable>(_ raw: [String], _ option: String, _ parse: (String) -> T?) throws -> Set<T>? {
        let items = raw.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !items.isEmpty else { return nil }
        return Set(try items.map { item in
            guard let value = parse(item) else { throw ValidationError("\(option): \"\(item)\" is not known") }
            return value
        })
    }

    /// ISO 8601 with a zone, a day (midnight Beijing time) or an age before `now`.
    static func time(_ text: String, _ option: String, now: Date) throws -> Date {
        if let zoned = ZonedDateTime(iso8601: text) { return zoned.instant }
        if let day = ZonedDateTime(iso8601: text + "T00:00:00+08:00"), text.count == 10 { return day.instant }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 {
            return now.addingTimeInterval(-amount * unit)
        }
        throw ValidationError("\(option): \"\(text)\" is not a time (2026-11-11T08:00:00+08:00, 2026-11-11, 90m, 12h, 7d)")
    }
}

/// The filing table of `list` and `watch`: no payload, no personal data.
enum DeskTable {
    static func render(_ filings: [FilingOverview], deadline: Date?, colours: Bool) -> String {
        var rows: [[String]] = [["ORDER", "MERCHANT", "KIND", "FILING", "STATUS", "ATTEMPTS", "CREATED (BEIJING)", "LAST RECEIPT"]]
        var statuses: [FilingStatus?] = [nil]
        for filing in filings {
            let last = FilingTable.lastReceipt(filing.lastReturnStatus, filing.lastReturnInfo, error: filing.lastError)
            let stuck = deadline.map { filing.isStuck(deadline: $0) } ?? false
            rows.append([
                filing.orderNo, filing.merchant ?? "-", filing.kind.rawValue, filing.id,
                filing.status.rawValue + (stuck ? " STUCK" : ""), String(filing.attempts), beijing(filing.createdAt), last,
            ])
            statuses.append(filing.status)
        }
        let lines = FilingTable.align(rows).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard colours else { return lines.joined(separator: "\n") }
        return zip(lines, statuses).map { line, status in
            status.map { ANSIColour.paint(line, for: $0) } ?? ANSIColour.bold(line)
        }.joined(separator: "\n")
    }

    static func beijing(_ date: Date) -> String {
        ZonedDateTime(instant: date, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds).format("yyyy-MM-dd HH:mm:ss")
    }
}

/// Terminal colours by status: green for final success, red for refusals and
/// dead filings, yellow while customs holds or inspects, cyan in the outbox.
enum ANSIColour {
    static let reset = "\u{1B}[0m"

    static func code(for status: FilingStatus) -> String {
        switch status {
        case .rejected, .dead: "\u{1B}[31m"
        case .released, .closed, .stored, .concluded: "\u{1B}[32m"
        case .inspecting, .reviewing: "\u{1B}[33m"
        case .queued, .sending: "\u{1B}[36m"
        case .delivered, .declaring, .sentToCustoms: "\u{1B}[34m"
        }
    }

    static func paint(_ text: String, for status: FilingStatus) -> String { code(for: status) + text + reset }
    static func bold(_ text: String) -> String { "\u{1B}[1m" + text + reset }
}

/// JSON of `list --json` (and of `watch`'s plain lines' fields): stable keys, times in Beijing ISO 8601.
enum DeskJSON {
    struct Filing: Encodable {
        var id, orderNo, kind, authority, status, purpose, createdAt, updatedAt: String
        var merchant, agent, supersedes, lastReturnStatus, lastReturnInfo, lastError, nextAttemptAt: String?
        var attempts: Int
        var final: Bool
        var stuck: Bool?
        /// The last returnStatus explained (receipt-codes.csv), when the table knows it.
        var lastReturnMeaning: Meaning?
    }

    struct Meaning: Encodable {
        var en, zh: String
    }

    struct Page: Encodable {
        var filings: [Filing]
        var next: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(filings, forKey: .filings)
            try container.encode(next, forKey: .next)
        }

        enum CodingKeys: String, CodingKey { case filings, next }
    }

    static func iso(_ date: Date) -> String {
        ZonedDateTime(instant: date, utcOffsetSeconds: ZonedDateTime.beijingOffsetSeconds).iso8601
    }

    static func page(_ page: FilingPage, deadline: Date?, codes: ReceiptCodeTable? = nil) throws -> String {
        let filings = page.filings.map { filing in
            Filing(
                id: filing.id, orderNo: filing.orderNo, kind: filing.kind.rawValue, authority: filing.authority.rawValue,
                status: filing.status.rawValue, purpose: filing.purpose.rawValue, createdAt: iso(filing.createdAt),
                updatedAt: iso(filing.updatedAt), merchant: filing.merchant, agent: filing.agent, supersedes: filing.supersedes,
                lastReturnStatus: filing.lastReturnStatus, lastReturnInfo: filing.lastReturnInfo, lastError: filing.lastError,
                nextAttemptAt: filing.nextAttemptAt.map(iso), attempts: filing.attempts, final: filing.isFinal,
                stuck: deadline.map { filing.isStuck(deadline: $0) },
                lastReturnMeaning: filing.lastReturnStatus.flatMap { codes?.explain(kind: filing.kind.receiptKind, code: $0) }
                    .map { Meaning(en: $0.en, zh: $0.zh) }
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(Page(filings: filings, next: page.next?.description))
        return String(decoding: data, as: UTF8.self)
    }
}
