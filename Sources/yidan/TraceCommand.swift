import ArgumentParser
import Foundation
import YidanCore
import YidanMapping
import YidanTrace

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show a product's provenance: produced, shipped, cleared by customs, sold (no personal data).",
        discussion: """
        ID is a SKU, a GTIN with lot or serial (09506000134352/10/LOT1), a GS1 Digital Link \
        (https://id.gs1.org/01/{gtin}/21/{serial}), an EPC URN, or an order number.

        Examples:
          yidan trace AU-A2-900G-S3
          yidan trace https://id.gs1.org/01/09300617312345/10/LOT42 --lang zh
          yidan trace YD20261111000001 --json
          yidan trace YD20261111000001 --epcis > provenance.jsonld
          yidan trace verify
        """,
        subcommands: [TraceShowCommand.self, TraceVerifyCommand.self],
        defaultSubcommand: TraceShowCommand.self
    )
}

/// Opens the trace store and the tables it speaks with.
struct TraceContext {
    let store: TraceStore
    let vocabulary: CBVVocabulary
    let districts: CustomsDistricts

    init(storePath: String, mappings: String?) throws {
        let directory = try MappingCatalog.locate(explicit: mappings)
        vocabulary = try CBVVocabulary(mappingsDirectory: directory)
        districts = try CustomsDistricts(mappingsDirectory: directory)
        store = try TraceStore(path: storePath, vocabulary: vocabulary)
    }
}

struct TraceOutputOptions: ParsableArguments {
    @Option(name: .long, help: "Language of the timeline: en or zh.")
    var lang: String = "en"

    var language: TraceTimeline.Language { TraceTimeline.Language(rawValue: lang) ?? .en }

    @Flag(name: .long, help: "Print the timeline as JSON.")
    var json = false

    @Flag(name: .long, help: "Print the events as an EPCIS 2.0 JSON-LD document.")
    var epcis = false

    func validate() throws {
        if json && epcis { throw ValidationError("--json and --epcis: pick one") }
        if TraceTimeline.Language(rawValue: lang) == nil { throw ValidationError("--lang: en or zh") }
    }

    func render(id: String, events: [StoredEvent], context: TraceContext) -> String {
        if epcis {
            return EPCISDocument.jsonLD(events.map(\.event), creationDate: .now()).serialized(pretty: true) + "\n"
        }
        let timeline = TraceTimeline(id: id, events: events, vocabulary: context.vocabulary, districts: context.districts, language: language)
        return json ? timeline.json().serialized(pretty: true) + "\n" : timeline.text(language: language)
    }
}

struct TraceShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the provenance timeline of a SKU, GTIN, Digital Link, EPC or order number (the default)."
    )

    @Argument(help: "SKU, GTIN[/10/lot|/21/serial], GS1 Digital Link, EPC URN or order number.")
    var id: String

    @OptionGroup var output: TraceOutputOptions
    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "The Mappings/ folder (default: ./Mappings, then beside the executable). Env: YIDAN_MAPPINGS.")
    var mappings: String?

    func run() async throws {
        let context = try TraceContext(storePath: storeOptions.store, mappings: mappings)
        let events = try await context.store.trace(TraceID(id))
        print(output.render(id: id, events: events, context: context), terminator: "")
        if events.isEmpty && !output.json && !output.epcis { throw ExitCode(66) }
    }
}

struct TraceVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every product's hash chain; name the first broken link of each (exit 1 when any is broken).",
        discussion: """
        Examples:
          yidan trace verify
          yidan trace verify --store /var/lib/yidan/yidan.sqlite
        """
    )

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let store = try TraceStore(path: storeOptions.store)
        let report = try await store.verifyChains()
        print("\(report.chains) chain\(report.chains == 1 ? "" : "s"), \(report.links) link\(report.links == 1 ? "" : "s")")
        guard !report.isIntact else {
            print("all chains intact")
            return
        }
        for broken in report.breaks { print("BROKEN " + broken.description) }
        throw CLIFailure("\(report.breaks.count) broken chain\(report.breaks.count == 1 ? "" : "s")", exitCode: 1)
    }
}
