public import Foundation
public import Hummingbird
import YidanCore
public import YidanTrace

/// Provenance over HTTP: capture (`POST /v1/events`), query (`GET /v1/events`),
/// the consumer's trace as JSON (`GET /v1/trace/{id}`) and as a small public
/// HTML page (`GET /trace/{id}`). A GS1 Digital Link's path works under both
/// trace prefixes (`/trace/01/{gtin}/21/{serial}`), so a product label can
/// point at yidan like at a resolver. Trace answers hold no personal data:
/// they are built from event fields only (`TraceTimeline`), never from orders.
///
/// Written against any Hummingbird router: `yidan serve` mounts it with its
/// own authorization for capture (`authorizeCapture`); reading is public.
public struct TraceRoutes: Sendable {
    public let store: TraceStore
    let vocabulary: CBVVocabulary
    let districts: CustomsDistricts

    /// Largest capture document.
    static let maxBodyBytes = 8 * 1024 * 1024

    public init(store: TraceStore, vocabulary: CBVVocabulary, districts: CustomsDistricts) {
        self.store = store
        self.vocabulary = vocabulary
        self.districts = districts
    }

    /// Reads `Mappings/tables/cbv-vocabulary.csv` and `customs-districts.csv`; opens the trace store at `storePath`.
    public init(storePath: String, mappingsDirectory: URL) throws {
        let vocabulary = try CBVVocabulary(mappingsDirectory: mappingsDirectory)
        try self.init(
            store: TraceStore(path: storePath, vocabulary: vocabulary), vocabulary: vocabulary,
            districts: CustomsDistricts(mappingsDirectory: mappingsDirectory)
        )
    }

    public func add<Router: RouterMethods>(
        to router: Router, authorizeCapture: @escaping @Sendable (Request, Router.Context) throws -> Void
    ) {
        let routes = self
        router.post("/v1/events") { request, context -> Response in
            try authorizeCapture(request, context)
            let body = try await Data(buffer: request.body.collect(upTo: Self.maxBodyBytes))
            do {
                let outcome = try await routes.store.capture(document: body)
                return Self.json(.created, .object([
                    .init("captured", .array(outcome.captured.map { .string($0) })),
                    .init("duplicates", .array(outcome.duplicates.map { .string($0) })),
                ]))
            } catch let failure as ValidationFailure {
                throw APIError(failure)
            } catch let error as YidanError {
                throw APIError(error)
            }
        }
        router.get("/v1/events") { request, _ -> Response in
            let events = try await routes.store.events(matching: try Self.query(request))
            let language = Self.language(request)
            let timeline = TraceTimeline(id: "query", events: events, vocabulary: routes.vocabulary, districts: routes.districts, language: language)
            return Self.json(.ok, timeline.json())
        }
        for prefix in ["/v1/trace", "/trace"] {
            let html = prefix == "/trace"
            let handler: @Sendable (Request, Router.Context, String) async throws -> Response = { request, _, id in
                try await routes.answer(id: id, request: request, html: html)
            }
            router.get("\(prefix)/{id}") { request, context in
                try await handler(request, context, try context.parameters.require("id"))
            }
            router.get("\(prefix)/01/{gtin}") { request, context in
                try await handler(request, context, "https://id.gs1.org/01/" + (try context.parameters.require("gtin")))
            }
            router.get("\(prefix)/01/{gtin}/{ai}/{value}") { request, context in
                let link = try "https://id.gs1.org/01/\(context.parameters.require("gtin"))/\(context.parameters.require("ai"))/\(context.parameters.require("value"))"
                return try await handler(request, context, link)
            }
        }
    }

    func answer(id: String, request: Request, html: Bool) async throws -> Response {
        let decoded = id.removingPercentEncoding ?? id
        let events = try await store.trace(TraceID(decoded))
        let language = Self.language(request)
        let timeline = TraceTimeline(id: decoded, events: events, vocabulary: vocabulary, districts: districts, language: language)
        if html {
            return Response(
                status: events.isEmpty ? .notFound : .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: TracePage.render(timeline, language: language)))
            )
        }
        guard !events.isEmpty else { throw APIError.notFound("no provenance for \(decoded)") }
        if request.uri.queryParameters["format"].map(String.init) == "epcis" {
            return Self.json(.ok, EPCISDocument.jsonLD(events.map(\.event), creationDate: .now()))
        }
        return Self.json(.ok, timeline.json())
    }

    static func language(_ request: Request) -> TraceTimeline.Language {
        request.uri.queryParameters["lang"].flatMap { TraceTimeline.Language(rawValue: String($0)) } ?? .en
    }

    static func query(_ request: Request) throws -> TraceQuery {
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init) }
        func time(_ name: String) throws -> Date? {
            guard let raw = text(name) else { return nil }
            guard let parsed = ZonedDateTime(iso8601: raw) else {
                throw APIError.badRequest("\(name) must be an ISO 8601 date-time with a zone", field: name)
            }
            return parsed.instant
        }
        var limit = 1000
        if let raw = text("limit") {
            guard let value = Int(raw), (1...10_000).contains(value) else { throw APIError.badRequest("limit must be 1 to 10000", field: "limit") }
            limit = value
        }
        return TraceQuery(
            bizStep: text("bizStep"), epc: text("epc"), from: try time("from"), to: try time("to"),
            location: text("location"), bizTransaction: text("bizTransaction"), limit: limit
        )
    }

    static func json(_ status: HTTPResponse.Status, _ body: OrderedJSON) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body.serialized()))
        )
    }
}

/// The public page: the timeline as a list, every text HTML-escaped.
enum TracePage {
    static func render(_ timeline: TraceTimeline, language: TraceTimeline.Language) -> String {
        let title = language == .zh ? "溯源：" + timeline.id : "Provenance of " + timeline.id
        var items = ""
        for entry in timeline.entries {
            var line = "<time datetime=\"\(HTMLText.escape(entry.time.iso8601))\">\(HTMLText.escape(entry.time.format("yyyy-MM-dd HH:mm")))</time> "
                + "<strong>\(HTMLText.escape(entry.stepLabel))</strong>"
            if let place = entry.place { line += " <span class=\"place\">\(HTMLText.escape(place))</span>" }
            items += "<li>\(line)</li>\n"
        }
        let empty = language == .zh ? "<p>未找到溯源记录。</p>" : "<p>No provenance found.</p>"
        return """
            <!doctype html>
            <html lang="\(language == .zh ? "zh-CN" : "en")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}li{margin:.5rem 0}.place{color:#555}</style>
            </head><body><h1>\(HTMLText.escape(title))</h1>
            \(timeline.entries.isEmpty ? empty : "<ol>\n" + items + "</ol>")
            </body></html>

            """
    }
}
