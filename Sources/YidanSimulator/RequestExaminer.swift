import Foundation
import YidanCore
import YidanMapping
import YidanSigning
import YidanXML

/// The stateless half of judging a request: parsing, the schema and the
/// signature. It runs on the request's own task before `GatewayCore` is
/// entered, so many requests are examined at once on every core; the actor
/// then decides with its state (faults, idempotency, the ledger) alone.
///
/// Before this split all of it ran inside the actor, one request at a time:
/// the simulator could use one core, and the dispatch benchmark's two cores
/// sat partly idle waiting for it. libxml2 allows it: a compiled schema is
/// only read, and each validation and document is the request's own.
struct RequestExaminer: Sendable {
    private static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"

    let schema: XMLSchema
    /// `ceb-export.xsd` beside the import schema: export declarations are judged by it.
    let exportSchema: XMLSchema
    /// One schema per tax/FX filing kind.
    let filingSchemas: [AuthorityFilingKind: XMLSchema]

    init(schemaURL: URL) throws {
        do {
            self.schema = try XMLSchema(contentsOf: schemaURL)
            self.exportSchema = try XMLSchema(contentsOf: schemaURL.deletingLastPathComponent().appendingPathComponent("ceb-export.xsd"))
        } catch {
            throw YidanError(.configuration, "cannot load the simulator's schema \(schemaURL.lastPathComponent)", cause: error)
        }
        var schemas: [AuthorityFilingKind: XMLSchema] = [:]
        for kind in AuthorityFilingKind.allCases {
            let file = URL(fileURLWithPath: kind.schemaFile).lastPathComponent
            do {
                schemas[kind] = try XMLSchema(contentsOf: schemaURL.deletingLastPathComponent().appendingPathComponent(file))
            } catch {
                throw YidanError(.configuration, "cannot load the simulator's schema \(file)", cause: error)
            }
        }
        self.filingSchemas = schemas
    }

    // MARK: customs (`POST /dxp/messages`)

    /// A DxpMsg read as far as it could be.
    enum CustomsExamination: Sendable {
        /// Not a DxpMsg envelope at all.
        case badEnvelope(reason: String)
        /// An envelope and what its Data holds.
        case envelope(DxpEnvelope, CustomsContent)
    }

    /// What a DxpMsg's Data holds.
    enum CustomsContent: Sendable {
        /// No CEB message the gateway knows.
        case unreadable(reason: String)
        /// A CEB message; `refusal` is its schema or signature problem, if any
        /// (the ledger's business rules are the actor's).
        case message(DeclaredMessage, refusal: ReceiptStep?)
    }

    func examineCustoms(_ body: Data) -> CustomsExamination {
        let envelope: DxpEnvelope
        do {
            envelope = try DxpEnvelope.parse(body)
        } catch {
            return .badEnvelope(reason: "not a valid DxpMsg envelope: \(GatewayCore.safeReason(error))")
        }
        let document: XMLDocument
        let declared: DeclaredMessage
        do {
            document = try XMLDocument.parse(envelope.data)
            declared = try DeclaredMessage(document: document)
        } catch {
            return .envelope(envelope, .unreadable(reason: "Data does not hold a CEB message: \(GatewayCore.safeReason(error))"))
        }
        return .envelope(envelope, .message(declared, refusal: customsRefusal(document, declared)))
    }

    /// Schema, then signature.
    private func customsRefusal(_ document: XMLDocument, _ declared: DeclaredMessage) -> ReceiptStep? {
        let issues = (declared.kind.direction == .export ? exportSchema : schema).validate(document)
        if !issues.isEmpty {
            return ReceiptScript.schemaInvalid(issues.map { "\($0.path): \(ReceiptScript.redactingValues($0.message))" })
        }
        if document.root?.firstChild("Signature", namespaceURI: Self.signatureNamespace) != nil {
            do {
                if try !XMLSignature.verify(document) {
                    return ReceiptScript.badSignature("the signature value does not match the signed content", kind: declared.kind)
                }
            } catch {
                return ReceiptScript.badSignature(GatewayCore.safeReason(error), kind: declared.kind)
            }
        }
        return nil
    }

    // MARK: tax and FX (`POST /tax/filings`, `POST /fx/filings`)

    /// A tax or FX filing read as far as it could be.
    enum FilingExamination: Sendable {
        /// Not the filing this endpoint takes.
        case invalid(AuthorityFilingKind, reason: String)
        /// A filing; `refusal` is its schema or signature problem, if any.
        case filing(AuthorityFilingFacts, refusal: ReceiptStep?)

        var kind: AuthorityFilingKind {
            switch self {
            case .invalid(let kind, _): kind
            case .filing(let facts, _): facts.kind
            }
        }
    }

    /// Reads a filing posted to the endpoint that takes `kinds` (the tax
    /// endpoint takes import and export records, told apart by their root).
    func examineFiling(_ body: Data, among kinds: [AuthorityFilingKind]) -> FilingExamination {
        let fallback = kinds.first ?? .taxImport
        let document: XMLDocument
        do {
            document = try XMLDocument.parse(body)
        } catch {
            return .invalid(fallback, reason: "not a \(fallback.rootElement): \(GatewayCore.safeReason(error))")
        }
        let kind = AuthorityFilingKind.filed(in: document, among: kinds)
        let facts: AuthorityFilingFacts
        do {
            facts = try AuthorityFilingFacts(document: document, expecting: kind)
        } catch {
            return .invalid(kind, reason: "not a \(kind.rootElement): \(GatewayCore.safeReason(error))")
        }
        return .filing(facts, refusal: filingRefusal(document, kind))
    }

    /// Signature, then schema: a `ds:Signature` (appended to the root as yidan
    /// signs) is verified and then taken out, since the filing schemas do not
    /// list it. A schema problem wins over a bad signature.
    private func filingRefusal(_ document: XMLDocument, _ kind: AuthorityFilingKind) -> ReceiptStep? {
        var signatureProblem: String?
        let signatures = document.root?.children("Signature", namespaceURI: AuthorityFilingFacts.signatureNamespace) ?? []
        if !signatures.isEmpty {
            do {
                if try !XMLSignature.verify(document) {
                    signatureProblem = "the signature value does not match the signed content"
                }
            } catch {
                signatureProblem = GatewayCore.safeReason(error)
            }
            for signature in signatures { signature.remove() }
        }
        guard let schema = filingSchemas[kind] else {
            return ReceiptScript.schemaInvalid(["no schema loaded for \(kind.rawValue)"])
        }
        let issues = schema.validate(document)
        if !issues.isEmpty {
            return ReceiptScript.schemaInvalid(issues.map { "\($0.path): \(ReceiptScript.redactingValues($0.message))" })
        }
        if let signatureProblem { return ReceiptScript.badSignature(signatureProblem) }
        return nil
    }
}
