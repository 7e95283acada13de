import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import YidanStore

/// The request context of `yidan serve`: Hummingbird's core storage plus the
/// holder of the API key the request presented, if any (`APIKeyMiddleware`).
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `APIKeyMiddleware` when the request carries a valid key.
    public var principal: Principal?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// The key holder, or 401 when the request carried no key.
    public func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The key holder if it has one of `roles`: 401 without a key, 403 with another role.
    func require(_ roles: Set<APIRole>, to action: String) throws -> Principal {
        let principal = try requirePrincipal()
        try principal.require(roles, to: action)
        return principal
    }
}

/// Finds the API key a request presents and who holds it. A key comes as
/// `Authorization: Bearer KEY`, `X-API-Key: KEY`, or the dashboard's HttpOnly
/// cookie `yidan_key`. A request without a key passes on anonymous (public
/// routes need none; the others answer 401); a key that is not known is 401 at once.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let store: any AccessStore

    static let cookieName = "yidan_key"

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let key = Self.presentedKey(request) else {
            return try await next(request, context)
        }
        guard let record = try await store.apiKey(hash: APIKey.hash(key)) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the API key is not known or was revoked")
        }
        let principal = Principal(record)
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal.role.rawValue):\(principal.subject)"
        return try await next(request, context)
    }

    static func presentedKey(_ request: Request) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        if let name = HTTPField.Name("X-API-Key"), let key = request.headers[name], !key.isEmpty { return key }
        return request.cookies[cookieName]?.value
    }
}
