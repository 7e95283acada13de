import ArgumentParser
import Foundation
import YidanCore
import YidanTrace

struct EventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Capture and query EPCIS 2.0 provenance events.",
        discussion: """
        Examples:
          yidan event add --biz-step commissioning --action ADD --class https://id.gs1.org/01/09300617312345/10/LOT42=500 \\
              --read-point urn:epc:id:sgln:9300617.00001.0 --time 2026-10-01T08:00:00+10:00
          yidan event import events.jsonld
          yidan event query --biz-step shipping --from 2026-11-01T00:00:00+08:00 --json
        """,
        subcommands: [EventAddCommand.self, EventImportCommand.self, EventQueryCommand.self]
    )
}

/// Turns a refused capture into the CLI's "refused input" exit with every issue listed.
func captureRefused(_ failure: ValidationFailure) -> CLIFailure {
    CLIFailure("events refused, none stored: " + failure.description, exitCode: 65)
}

struct EventAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record one event (an ObjectEvent unless --type says otherwise).")

    @Option(name: .long, help: "ObjectEvent, AggregationEvent, TransformationEvent, TransactionEvent or AssociationEvent.")
    var type: String = "ObjectEvent"
    @Option(name: .long, help: "ADD, OBSERVE or DELETE.")
    var action: String = "OBSERVE"
    @Option(name: .long, help: "When it happened, with a zone (default: now, Beijing time).")
    var time: String?
    @Option(name: .long, help: "An instance EPC (URN or Digital Link); repeatable.")
    var epc: [String] = []
    @Option(name: .customLong("class"), help: "A class with a quantity: URI=quantity (e.g. https://id.gs1.org/01/…/10/LOT=500); repeatable.")
    var classes: [String] = []
    @Option(name: .long, help: "CBV bizStep (commissioning, shipping, …) or a URI.")
    var bizStep: String?
    @Option(name: .long, help: "CBV disposition or a URI.")
    var disposition: String?
    @Option(name: .long, help: "readPoint id.")
    var readPoint: String?
    @Option(name: .long, help: "bizLocation id.")
    var bizLocation: String?
    @Option(name: .long, help: "type=value, e.g. po=urn:yidan:order:YD1; repeatable.")
    var bizTransaction: [String] = []

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The Mappings/ folder. Env: YIDAN_MAPPINGS.")
    var mappings: String?

    func run() async throws {
        guard let kind = EPCISEvent.Kind(rawValue: type) else { throw ValidationError("--type: \(type) is not an EPCIS event type") }
        guard let action = EPCISEvent.Action(rawValue: action) else { throw ValidationError("--action: must be ADD, OBSERVE or DELETE") }
        let when: ZonedDateTime
        if let time {
            guard let parsed = ZonedDateTime(iso8601: time) else { throw ValidationError("--time: an ISO 8601 date-time with a zone") }
            when = parsed
        } else {
            when = .now()
        }
        var event = EPCISEvent(kind: kind, eventTime: when)
        event.action = kind == .transformation ? nil : action
        event.epcList = epc
        event.quantityList = try classes.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            let quantity = parts.count == 2 ? Decimal(string: parts[1], locale: Locale(identifier: "en_US_POSIX")) : nil
            if parts.count == 2 && quantity == nil { throw ValidationError("--class \(text): quantity is not a number") }
            return QuantityElement(epcClass: parts[0], quantity: quantity)
        }
        event.bizStep = bizStep
        event.disposition = disposition
        event.readPoint = readPoint
        event.bizLocation = bizLocation
        event.bizTransactionList = try bizTransaction.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--biz-transaction \(text): write type=value") }
            return TypedReference(type: parts[0], value: parts[1])
        }
        // The same checks as a captured document: write it as one and read it back.
        let document = EPCISDocument.jsonLD([event], creationDate: .now()).serialized()
        let context = try TraceContext(storePath: storeOptions.store, mappings: mappings)
        do {
            let outcome = try await context.store.capture(document: Data(document.utf8))
            print((outcome.captured + outcome.duplicates).joined(separator: "\n"))
        } catch let failure as ValidationFailure {
            throw captureRefused(failure)
        }
    }
}

struct EventImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Capture every event of an EPCIS 2.0 document (JSON-LD or XML): all of them, or none when any is invalid."
    )

    @Argument(help: "The EPCIS document (- for standard input).")
    var file: String

    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The Mappings/ folder. Env: YIDAN_MAPPINGS.")
    var mappings: String?

    func run() async throws {
        let data: Data
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CLIFailure("cannot read \(file)", exitCode: 66)
        }
        let context = try TraceContext(storePath: storeOptions.store, mappings: mappings)
        do {
            let outcome = try await context.store.capture(document: data)
            print("captured \(outcome.captured.count) event\(outcome.captured.count == 1 ? "" : "s")"
                + (outcome.duplicates.isEmpty ? "" : ", \(outcome.duplicates.count) already stored"))
        } catch let failure as ValidationFailure {
            throw captureRefused(failure)
        }
    }
}

struct EventQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "List events by bizStep, EPC (pattern with *), time, location or business transaction.")

    @Option(name: .long, help: "CBV bizStep or URI.") var bizStep: String?
    @Option(name: .long, help: "EPC or class URI; a trailing * matches a prefix.") var epc: String?
    @Option(name: .long, help: "From this time (ISO 8601 with zone).") var from: String?
    @Option(name: .long, help: "Up to this time (ISO 8601 with zone).") var to: String?
    @Option(name: .long, help: "readPoint or bizLocation id.") var location: String?
    @Option(name: .long, help: "A business transaction (URI, order, waybill or inventory number).") var bizTransaction: String?
    @Option(name: .long, help: "At most this many events.") var limit: Int = 1000

    @OptionGroup var output: TraceOutputOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The Mappings/ folder. Env: YIDAN_MAPPINGS.")
    var mappings: String?

    func run() async throws {
        func time(_ text: String?, _ name: String) throws -> Date? {
            guard let text else { return nil }
            guard let parsed = ZonedDateTime(iso8601: text) else { throw ValidationError("--\(name): an ISO 8601 date-time with a zone") }
            return parsed.instant
        }
        let query = TraceQuery(
            bizStep: bizStep, epc: epc, from: try time(from, "from"), to: try time(to, "to"),
            location: location, bizTransaction: bizTransaction, limit: limit
        )
        let context = try TraceContext(storePath: storeOptions.store, mappings: mappings)
        let events = try await context.store.events(matching: query)
        print(output.render(id: "query", events: events, context: context), terminator: "")
    }
}
