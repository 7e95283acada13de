import Foundation
public import Hummingbird
public import YidanCore

/// Every refusal the API gives, rendered as
/// `{"error":{"code":"…","message":"…","field":"…"}}`.
///
/// `message` is always safe to show: it is built from `YidanError.message`
/// or `FieldIssue` (whose values are masked), never from a cause, a stack or
/// personal data. Handlers throw it; Hummingbird renders it (`HTTPResponseError`).
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// Stable, machine-readable code (`unauthorized`, `forbidden`, `invalid-order`, …).
    public var code: String
    public var message: String
    /// JSON pointer of the offending field, or the parameter's name, if one is to blame.
    public var field: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        APIJSON.response(status, body: ["error": .object(errorBody)])
    }

    var errorBody: [String: JSONOut] {
        var body: [String: JSONOut] = ["code": .string(code), "message": .string(message)]
        body["field"] = field.map(JSONOut.string) ?? .null
        return body
    }

    public static let unauthorized = APIError(.unauthorized, code: "unauthorized", message: "an API key is required (Authorization: Bearer KEY)")
    public static func forbidden(_ message: String) -> APIError { APIError(.forbidden, code: "forbidden", message: message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not-found", message: message) }
    public static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: "bad-request", message: message, field: field)
    }

    /// The API's answer to a pipeline error: status by code, message as the error states it.
    public init(_ error: YidanError) {
        let status: HTTPResponse.Status = switch error.code {
        case .notFound: .notFound
        case .duplicate: .conflict
        case .invalidOrder, .notEligible, .mapping, .schema: .unprocessableContent
        case .receipt, .xml: .badRequest
        default: .internalServerError
        }
        // Internal failures say which part failed, not how: the cause stays in the log.
        let message = status == .internalServerError ? "internal error (\(error.code.rawValue))" : error.message
        self.init(status, code: error.code.rawValue, message: message)
    }

    /// Every problem of a refused order; the first one names the field.
    public init(_ failure: ValidationFailure) {
        self.init(
            .unprocessableContent, code: "invalid-order",
            message: failure.issues.map(\.description).joined(separator: "; "),
            field: failure.issues.first?.pointer
        )
    }

    /// Any error a handler lets through, as the API shows it.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as YidanError: APIError(error)
        case let failure as ValidationFailure: APIError(failure)
        case let error as any HTTPResponseError:
            APIError(error.status, code: "http-\(error.status.code)", message: error.status.reasonPhrase)
        default: APIError(.internalServerError, code: "internal", message: "internal error")
        }
    }
}

/// Turns every error a route throws into an `APIError`, so nothing but the
/// documented JSON shape (no stack, no cause) ever reaches a client.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.from(error)
            if apiError.status == .internalServerError {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            throw apiError
        }
    }
}
