import Foundation
import Hummingbird
import YidanCore
import YidanMapping
import YidanXML

/// The synchronous answer of the tax and FX endpoints
/// (`Mappings/schemas/authority-ack-v1.xsd`): `<Ack xmlns="urn:yidan:authority:ack:v1"
/// guid="…" status="received"/>`.
struct AuthorityAck: Sendable, Equatable {
    static let namespace = "urn:yidan:authority:ack:v1"

    enum Status: String, Sendable {
        case received, invalid, unavailable
    }

    var httpStatus: Int
    var status: Status
    var guid: String?
    var info: String?

    static func received(_ guid: String) -> AuthorityAck {
        AuthorityAck(httpStatus: 200, status: .received, guid: guid, info: nil)
    }

    static func invalid(_ reason: String) -> AuthorityAck {
        AuthorityAck(httpStatus: 400, status: .invalid, guid: nil, info: reason)
    }

    static func unavailable(status: Int) -> AuthorityAck {
        AuthorityAck(httpStatus: status, status: .unavailable, guid: nil, info: "authority temporarily unavailable (injected fault)")
    }

    func xml() -> Data {
        let document = XMLDocument(rootName: "Ack", namespaceURI: Self.namespace, prefix: nil)
        guard let root = document.root else { return Data() }
        if let guid { root.setAttribute("guid", guid) }
        root.setAttribute("status", status.rawValue)
        if let info { root.setAttribute("info", String(info.prefix(300))) }
        return document.serialized(pretty: false)
    }
}

/// A tax or FX receipt (`Mappings/schemas/tax-receipt-v1.xsd`, `fx-receipt-v1.xsd`):
/// default namespace, `receiptId` + `version` on the root, then guid, orderNo,
/// returnStatus, returnTime (Beijing, yyyyMMddHHmmssSSS), returnInfo.
struct AuthorityReceiptDocument: Sendable {
    var receiptId: String
    var facts: AuthorityFilingFacts
    var step: ReceiptStep
    var returnTime: ZonedDateTime

    func xml() -> Data {
        let kind = facts.kind
        let ns = kind.receiptNamespace
        let document = XMLDocument(rootName: kind.receiptKind.rootElement, namespaceURI: ns, prefix: nil)
        guard let root = document.root else { return Data() }
        root.setAttribute("receiptId", receiptId)
        root.setAttribute("version", "1")
        let fields = [
            ("guid", facts.guid),
            ("orderNo", String((facts.orderNo ?? "-").prefix(60))),
            ("returnStatus", step.returnStatus),
            ("returnTime", returnTime.format("yyyyMMddHHmmssSSS", inOffset: ZonedDateTime.beijingOffsetSeconds)),
            ("returnInfo", step.returnInfo),
        ]
        for (name, value) in fields {
            root.addChild(name, namespaceURI: ns, prefix: nil, text: value)
        }
        return document.serialized(pretty: true)
    }
}

/// What the HTTP layer must do with one tax/FX request.
struct AuthorityHandling: Sendable {
    var ack: AuthorityAck
    var delay: Duration?
    var drop: Bool
    var retryAfterSeconds: Int?
}

extension GatewayCore {
    /// One request on `/tax/filings` or `/fx/filings`, examined by
    /// `examiner.examineFiling(_:among:)`. The fault plan applies as on
    /// `/dxp/messages` (the counters of faults are shared).
    func receiveFiling(_ examination: RequestExaminer.FilingExamination, idempotencyKey headerKey: String?) -> AuthorityHandling {
        let kind = examination.kind
        stats.authorities[kind.authorityName, default: AuthorityCounters()].requestsReceived += 1
        if faults.unavailableDesks.contains(kind.authorityName) {
            stats.faultsInjected += 1
            return AuthorityHandling(ack: .unavailable(status: faults.failStatus), delay: nil, drop: false, retryAfterSeconds: nil)
        }
        if faults.failNext > 0 {
            faults.failNext -= 1
            stats.faultsInjected += 1
            return AuthorityHandling(ack: .unavailable(status: faults.failStatus), delay: nil, drop: false,
                                     retryAfterSeconds: faults.retryAfterSeconds)
        }
        let ack = processFiling(examination, headerKey: headerKey.flatMap { $0.isEmpty ? nil : $0 })
        let delay: Duration? = faults.answerDelayMilliseconds > 0 ? .milliseconds(faults.answerDelayMilliseconds) : nil
        var drop = false
        if faults.dropNext > 0 {
            faults.dropNext -= 1
            stats.faultsInjected += 1
            drop = true
        }
        return AuthorityHandling(ack: ack, delay: delay, drop: drop, retryAfterSeconds: nil)
    }

    private func processFiling(_ examination: RequestExaminer.FilingExamination, headerKey: String?) -> AuthorityAck {
        let kind = examination.kind
        let name = kind.authorityName
        if let headerKey, let earlier = desk.answers[AuthorityDesk.scoped(kind, headerKey)] {
            stats.authorities[name, default: AuthorityCounters()].duplicatesRecognised += 1
            return earlier
        }
        let facts: AuthorityFilingFacts
        let refusal: ReceiptStep?
        switch examination {
        case .invalid(_, let reason):
            stats.authorities[name, default: AuthorityCounters()].invalidRequests += 1
            return .invalid(reason)
        case .filing(let read, let problem):
            (facts, refusal) = (read, problem)
        }
        let key = headerKey ?? facts.guid
        let scopedKey = AuthorityDesk.scoped(kind, key)
        if let earlier = desk.answers[scopedKey] {
            stats.authorities[name, default: AuthorityCounters()].duplicatesRecognised += 1
            return earlier
        }
        // The same filing under a new key: answer as the first time, do not re-apply.
        if let firstKey = desk.keyByGuid[AuthorityDesk.scoped(kind, facts.guid)], let earlier = desk.answers[firstKey] {
            stats.authorities[name, default: AuthorityCounters()].duplicatesRecognised += 1
            desk.answers[scopedKey] = earlier
            return earlier
        }

        let ack = AuthorityAck.received(facts.guid)
        desk.answers[scopedKey] = ack
        desk.keyByGuid[AuthorityDesk.scoped(kind, facts.guid)] = scopedKey
        desk.amountByGuid[AuthorityDesk.scoped(kind, facts.guid)] = facts.amount
        desk.appliedByKey[key, default: 0] += 1
        stats.authorities[name, default: AuthorityCounters()].filingsAccepted += 1
        stats.authorities[name, default: AuthorityCounters()].appliedFilingGuids.append(facts.guid)
        if refusal != nil { stats.authorities[name, default: AuthorityCounters()].rejections += 1 }
        enqueue(.authority(AuthorityReceiptJob(facts: facts, plan: refusal.map { .refused($0) } ?? .accepted)))
        return ack
    }

    /// Tax: the CEB311 of the same orderNo (and ebpCode) and its `taxTotal`;
    /// FX: the CEB411 of the same orderNo and its `amountPaid`. Exact decimals.
    func reconcile(_ facts: AuthorityFilingFacts) -> AuthorityReconciliation {
        // A reversal (docs/filings.md "Reversals") must name a filing this desk recorded.
        if let reversed = facts["reverses"], desk.keyByGuid[AuthorityDesk.scoped(facts.kind, reversed)] == nil {
            return .disagrees(["reverses \(reversed), which was never filed here"])
        }
        // A reversal undoes the record it names, amount for amount: after an
        // amendment customs holds the new CEB311/411, not the reversed ones.
        if let reversed = facts["reverses"] {
            return Self.compare(
                "reversal \(facts.kind.amountField)", facts.amount,
                "reversed filing's \(facts.kind.amountField)", desk.amountByGuid[AuthorityDesk.scoped(facts.kind, reversed)]
            )
        }
        let orderNo = facts.orderNo ?? ""
        switch facts.kind {
        case .taxImport:
            let ebpCode = facts["ebpCode"]
            guard let order = ledger.declaration(.ceb311, orderNo: orderNo, ebpCode: ebpCode) else {
                return .notOnFile(["no order (CEB311) on file for orderNo \(orderNo)" + (ebpCode.map { " of ebpCode \($0)" } ?? "")])
            }
            return Self.compare("tax filing taxTotal", facts.amount, "CEB311 taxTotal", order.amount("taxTotal"))
        case .fxPayment:
            guard let payment = ledger.declaration(.ceb411, orderNo: orderNo, ebpCode: nil) else {
                return .notOnFile(["no payment (CEB411) on file for orderNo \(orderNo)"])
            }
            var result = Self.compare("FX rmbAmount", facts.amount, "CEB411 amountPaid", payment.amount("amountPaid"))
            if let id = facts["payTransactionId"], let declared = payment["payTransactionId"], id != declared {
                let problem = "FX payTransactionId differs from the CEB411's"
                if case .disagrees(let problems) = result { result = .disagrees(problems + [problem]) } else { result = .disagrees([problem]) }
            }
            return result
        case .taxExport:
            return reconcileExportTax(facts)  // ExportTaxDesk.swift
        case .fxExport:
            return reconcileExportFx(facts)  // ExportFxDesk.swift
        }
    }

    static func compare(_ leftName: String, _ left: Decimal?, _ rightName: String, _ right: Decimal?) -> AuthorityReconciliation {
        guard let left, let right else {
            return .disagrees(["\(leftName) or \(rightName) is missing or not a number"])
        }
        guard left == right else {
            return .disagrees(["\(leftName) \(Money.format(left, minScale: 2)) does not equal \(rightName) \(Money.format(right, minScale: 2))"])
        }
        return .agrees
    }

    func noteAuthorityRejection(_ kind: AuthorityFilingKind) {
        stats.authorities[kind.authorityName, default: AuthorityCounters()].rejections += 1
    }
}

/// `POST /tax/filings` and `POST /fx/filings`: body the filing XML itself,
/// header `Idempotency-Key` (falls back to the filing guid).
enum AuthorityRoutes {
    static func register(on router: Router<BasicRequestContext>, core: GatewayCore, clock: any Clock<Duration>, maxRequestBytes: Int) {
        // One endpoint per authority; the tax authority takes import and export records,
        // told apart by their root element (ExportTaxDesk.swift).
        for (authority, kinds) in Dictionary(grouping: AuthorityFilingKind.allCases, by: \.authorityName) {
            router.post("/\(authority)/filings") { request, _ -> Response in
                let buffer = try await request.body.collect(upTo: maxRequestBytes)
                let key = request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value
                // Parsing and checks on this request's task, many at once; then the actor decides.
                let examination = core.examiner.examineFiling(Data(buffer.readableBytesView), among: kinds)
                let handling = await core.receiveFiling(examination, idempotencyKey: key)
                if let delay = handling.delay {
                    try await clock.sleep(for: delay)
                }
                return response(for: handling)
            }
        }
    }

    static func response(for handling: AuthorityHandling) -> Response {
        let bytes = handling.ack.xml()
        var headers: HTTPFields = [.contentType: "application/xml; charset=utf-8"]
        if let retryAfter = handling.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfter)
        }
        if handling.drop {
            let partial = ByteBuffer(bytes: bytes.prefix(16))
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                try await writer.write(partial)
                throw SimulatorRoutes.SimulatedConnectionDrop()
            })
        }
        return Response(
            status: HTTPResponse.Status(code: handling.ack.httpStatus),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
