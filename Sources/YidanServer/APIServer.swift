import Foundation
import HTTPTypes
public import Hummingbird
public import Logging
import YidanCore
public import YidanIngest
import YidanReceipts
public import YidanRouter
public import YidanStore

/// How `yidan serve` listens and what it considers stuck.
public struct ServerSettings: Sendable {
    public var host: String
    /// 0 picks a free port (tests); `onRunning` reports it.
    public var port: Int
    /// A filing without a final receipt this long after it was stored is stuck.
    public var deadline: Duration
    /// How often `/v1/stream` reads the status-change log.
    public var streamPollInterval: Duration
    public var streamHeartbeat: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8080, deadline: Duration = .seconds(30 * 60),
        streamPollInterval: Duration = .milliseconds(250), streamHeartbeat: Duration = .seconds(15)
    ) {
        self.host = host
        self.port = port
        self.deadline = deadline
        self.streamPollInterval = streamPollInterval
        self.streamHeartbeat = streamHeartbeat
    }
}

/// The HTTP side of `yidan serve`: merchant and broker API, receipts,
/// metrics and the dashboard. Handlers only translate HTTP; what they do lives
/// in `OrderDesk`, `FilingDesk`, `StatusStream` and `ServerMetrics`.
public struct APIServer: Sendable {
    public let orders: OrderDesk
    public let settings: ServerSettings
    let filings: FilingDesk
    let stream: StatusStream
    let store: any BrokerStore & AccessStore
    /// Provenance (YidanTrace): reading is public, capture needs a key.
    let trace: TraceRoutes?

    /// Largest request body: an order or a receipt message is a few kilobytes.
    static let maxBodyBytes = 4 * 1024 * 1024

    /// Throws `YidanError(.configuration)` when `Mappings/tables/receipt-codes.csv` cannot be read.
    public init(
        runtime: RouterRuntime, store: any BrokerStore & AccessStore, normalizer: any OrderNormalizer, settings: ServerSettings,
        trace: TraceRoutes? = nil
    ) throws {
        self.store = store
        self.trace = trace
        self.settings = settings
        let codes = try ReceiptCodeTable.load(mappingsDirectory: runtime.environment.mappingsDirectory)
        self.orders = OrderDesk(runtime: runtime, store: store, normalizer: normalizer, receiptCodes: codes)
        self.filings = FilingDesk(store: store, deadline: settings.deadline)
        self.stream = StatusStream(store: store, pollInterval: settings.streamPollInterval, heartbeat: settings.streamHeartbeat)
    }

    /// Every route; `docs/openapi.yaml` documents each (a test holds them to it).
    public func routes() -> RouteBook {
        let router = RouteBook(router: Router(context: APIContext.self))
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: APIKeyMiddleware(store: store))
        router.get("/healthz") { _, _ in "ok" }
        addOrderRoutes(to: router)
        addBrokerRoutes(to: router)
        addDashboardRoutes(to: router)
        trace?.add(to: router, authorizeCapture: { _, context in
            _ = try context.require([.merchant, .broker, .admin], to: "capture events")
        })
        return router
    }

    func addOrderRoutes(to router: RouteBook) {
        let orders = orders
        router.post("/v1/orders") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let body = try await Data(buffer: request.body.collect(upTo: Self.maxBodyBytes))
            let key = HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
            // RFC 7240: `Prefer: respond-async` asks for 202 once the order is stored.
            let prefer = HTTPField.Name("Prefer").map { request.headers[values: $0].joined(separator: ",") } ?? ""
            let respondAsync = prefer.lowercased().contains("respond-async") && orders.preparer != nil
            let answer = try await orders.submit(body: body, idempotencyKey: key, by: principal, respondAsync: respondAsync)
            var response = APIJSON.response(HTTPResponse.Status(code: answer.status), bytes: answer.body)
            if respondAsync, let applied = HTTPField.Name("Preference-Applied") {
                response.headers[applied] = "respond-async"
            }
            return response
        }
        router.get("/v1/orders/{orderNo}") { _, context -> Response in
            let principal = try context.requirePrincipal()
            return APIJSON.response(.ok, body: try await orders.view(orderNo: try Self.orderNo(context), by: principal))
        }
        router.post("/v1/orders/{orderNo}/amend") { request, context -> Response in
            let principal = try context.requirePrincipal()
            let body = try await Data(buffer: request.body.collect(upTo: Self.maxBodyBytes))
            return APIJSON.response(.created, body: try await orders.amend(orderNo: try Self.orderNo(context), body: body, by: principal))
        }
        for kind in OrderChangeKind.allCases {
            router.post("/v1/orders/{orderNo}/\(kind.rawValue)") { request, context -> Response in
                let principal = try context.requirePrincipal()
                let body = try await Data(buffer: request.body.collect(upTo: Self.maxBodyBytes))
                return APIJSON.response(.created, body: try await orders.change(kind, orderNo: try Self.orderNo(context), body: body, by: principal))
            }
        }
    }

    func addBrokerRoutes(to router: RouteBook) {
        let filings = filings
        let stream = stream
        let store = store
        let deadline = settings.deadline
        let applier = orders.runtime.applier
        router.get("/v1/filings") { request, context -> Response in
            let principal = try context.require([.broker, .admin], to: "list filings")
            let parameters = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })
            let query = try filings.query(from: parameters, for: principal)
            return APIJSON.response(.ok, body: try await filings.page(query, now: Date()))
        }
        router.get("/v1/filings/counts") { _, context -> Response in
            _ = try context.require([.broker, .admin], to: "count filings")
            return APIJSON.response(.ok, body: try await filings.counts())
        }
        router.post("/v1/filings/{id}/retry") { _, context -> Response in
            let principal = try context.require([.broker, .admin], to: "retry filings")
            let id = try context.parameters.require("id")
            return APIJSON.response(.ok, body: try await filings.retry(filingID: id, by: principal, now: Date()))
        }
        router.get("/v1/stream") { request, context -> Response in
            let principal = try context.require([.broker, .admin], to: "follow the status stream")
            let resume = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] } ?? request.uri.queryParameters["after"].map(String.init)
            var after: Int64?
            if let resume {
                guard let value = Int64(resume), value >= 0 else { throw APIError.badRequest("Last-Event-ID must be an event id", field: "Last-Event-ID") }
                after = value
            }
            return try await stream.response(after: after, for: principal)
        }
        // Receipts posted on an authority's behalf: the same parser and path as the inbox folder.
        router.post("/v1/receipts") { request, context -> Response in
            _ = try context.require([.admin], to: "post receipts")
            let bytes = try await Data(buffer: request.body.collect(upTo: Self.maxBodyBytes))
            let effects = try await applier.apply(bytes: bytes, channel: "http")
            let moved = effects.filter { if case .advanced = $0 { true } else { false } }.count
            let unmatched = effects.filter { $0 == .unmatched }.count
            return APIJSON.response(.ok, body: ["receipts": .int(effects.count), "moved": .int(moved), "unmatched": .int(unmatched)])
        }
        let runtime = orders.runtime
        router.get("/v1/health") { _, context -> Response in
            _ = try context.require([.broker, .admin], to: "read authority health")
            return APIJSON.response(.ok, body: AuthorityHealthView.json(runtime))
        }
        router.get("/metrics") { _, context -> Response in
            _ = try context.require([.broker, .admin], to: "read metrics")
            AuthorityHealthView.record(runtime)
            let text = try await ServerMetrics.scrape(store: store, stuckBefore: Date().addingTimeInterval(-deadline.seconds))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
    }

    static func orderNo(_ context: APIContext) throws -> String {
        try context.parameters.require("orderNo")
    }

    /// The server as a Hummingbird application: a `Service` for one `ServiceGroup`.
    public func application(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let port = settings.port
        return Application(
            router: routes().router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "yidan"),
            // The preparer files what `Prefer: respond-async` acknowledged; it stops with the server.
            services: orders.preparer.map { [$0] } ?? [],
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
