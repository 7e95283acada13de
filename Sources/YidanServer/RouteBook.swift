public import Hummingbird
import Synchronization

/// The router, keeping a list of what it registered: `docs/openapi.yaml` is
/// checked against this list (every route documented, every documented route
/// served), so a route added anywhere through it cannot go undocumented.
public struct RouteBook: RouterMethods {
    public typealias Context = APIContext
    public let router: Router<APIContext>
    private let entries: Entries

    final class Entries: Sendable {
        let list = Mutex<[Route]>([])
    }

    /// One registered method and path pattern (`/v1/orders/{orderNo}`).
    public struct Route: Sendable, Hashable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var description: String { "\(method) \(path)" }
    }

    public init(router: Router<APIContext>) {
        self.router = router
        self.entries = Entries()
    }

    public var routes: [Route] { entries.list.withLock { $0 } }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> RouteBook
    where Responder.Context == APIContext {
        entries.list.withLock { $0.append(Route(method: method.rawValue, path: path.description)) }
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, APIContext>) -> RouteBook {
        router.add(middleware: middleware)
        return self
    }
}
