import Foundation
import Hummingbird
import YidanCore
import YidanStore

/// The broker's desk at `GET /`: server-rendered HTML, light JavaScript
/// (`/dashboard/app.js`) for filters, drill-down and live updates over SSE.
///
/// Sign-in: open `/?key=KEY` once (or post the login form): the key is checked,
/// stored in an HttpOnly, SameSite=Strict cookie and the URL loses it (303).
/// The page's own API calls then carry the cookie.
extension APIServer {
    func addDashboardRoutes(to router: RouteBook) {
        let store = store
        let settings = settings
        let runtime = orders.runtime
        router.get("/") { request, context -> Response in
            if let key = request.uri.queryParameters["key"] {
                return try await Self.signIn(key: String(key), store: store)
            }
            guard let principal = context.principal else { return Self.html(DashboardPage.login(message: nil), status: .unauthorized) }
            guard principal.role != .merchant else {
                return Self.html(DashboardPage.login(message: "The desk is for broker and admin keys."), status: .forbidden)
            }
            let desk = FilingDesk(store: store, deadline: settings.deadline)
            let page = try await store.filings(matching: try desk.query(from: ["limit": "100"], for: principal))
            return Self.html(DashboardPage.desk(
                subject: principal.subject, role: principal.role.rawValue,
                counts: try await store.statusCountsByAuthority(), filings: page.filings,
                stuckBefore: Date().addingTimeInterval(-settings.deadline.seconds), deadlineMinutes: Int(settings.deadline.seconds / 60),
                health: AuthorityHealthView.text(runtime)
            ))
        }
        router.post("/login") { request, _ -> Response in
            let form = try await String(buffer: request.body.collect(upTo: 16 * 1024))
            let key = form.split(separator: "&").compactMap { pair -> String? in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0] == "key" else { return nil }
                return String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            }.first
            return try await Self.signIn(key: key ?? "", store: store)
        }
        router.post("/logout") { _, _ -> Response in
            var response = Response(status: .seeOther, headers: [.location: "/"])
            response.setCookie(.init(name: APIKeyMiddleware.cookieName, value: "", maxAge: 0, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/dashboard/app.js") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardScript.source)))
        }
        router.get("/dashboard/app.css") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardStyle.source)))
        }
    }

    /// A known key becomes the session cookie; an unknown one shows the form again (401).
    static func signIn(key: String, store: any AccessStore) async throws -> Response {
        guard !key.isEmpty, try await store.apiKey(hash: APIKey.hash(key)) != nil else {
            return html(DashboardPage.login(message: "That key is not known or was revoked."), status: .unauthorized)
        }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(.init(name: APIKeyMiddleware.cookieName, value: key, path: "/", secure: false, httpOnly: true, sameSite: .strict))
        return response
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
