public import Foundation
public import YidanCore

/// The desk, access, audit and retention views of a sealed store: none of
/// them reads personal data except `retry`'s record, which is opened like
/// every other filing read. Each forwards to the base store, which must
/// offer the same view.
extension SealedFilingStore: BrokerStore, AccessStore, AuditStore, RetentionStore {
    func view<View>(_ type: View.Type, _ name: String) throws -> View {
        guard let view = base as? View else {
            throw YidanError(.configuration, "this store has no \(name)")
        }
        return view
    }

    var broker: any BrokerStore { get throws { try view((any BrokerStore).self, "broker desk") } }
    var access: any AccessStore { get throws { try view((any AccessStore).self, "API keys") } }

    public func filings(matching query: FilingQuery) async throws -> FilingPage {
        try await broker.filings(matching: query)
    }
    public func retry(filingID: String, at: Date) async throws -> FilingRecord {
        try opened(try await broker.retry(filingID: filingID, at: at))
    }
    public func retryAllDead(at: Date) async throws -> [FilingRecord] {
        try await broker.retryAllDead(at: at).map(opened)
    }
    public func statusChanges(after: Int64, limit: Int) async throws -> [StatusChange] {
        try await broker.statusChanges(after: after, limit: limit)
    }
    public func lastStatusChangeID() async throws -> Int64 { try await broker.lastStatusChangeID() }
    public func stuckFilings(before: Date, limit: Int) async throws -> [FilingOverview] {
        try await broker.stuckFilings(before: before, limit: limit)
    }
    public func orderMerchant(orderNo: String) async throws -> String? { try await broker.orderMerchant(orderNo: orderNo) }
    public func statusCountsByAuthority() async throws -> [Authority: [FilingStatus: Int]] {
        try await broker.statusCountsByAuthority()
    }

    public func addAPIKey(
        hash: String, role: APIRole, subject: String, merchants: Set<String>, label: String?, at: Date
    ) async throws -> APIKeyRecord {
        try await access.addAPIKey(hash: hash, role: role, subject: subject, merchants: merchants, label: label, at: at)
    }
    public func apiKey(hash: String) async throws -> APIKeyRecord? { try await access.apiKey(hash: hash) }
    public func apiKeys() async throws -> [APIKeyRecord] { try await access.apiKeys() }
    public func revokeAPIKey(hash: String, at: Date) async throws -> Bool { try await access.revokeAPIKey(hash: hash, at: at) }
    public func revokeAPIKey(id: Int64, at: Date) async throws -> Bool { try await access.revokeAPIKey(id: id, at: at) }
    public func idempotencyRecord(key: String, merchant: String) async throws -> IdempotencyRecord? {
        try await access.idempotencyRecord(key: key, merchant: merchant)
    }
    public func storeIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await access.storeIdempotencyRecord(record)
    }

    public func auditEntries(after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await view((any AuditStore).self, "audit trail").auditEntries(after: after, limit: limit)
    }
    public func auditEntries(orderNo: String) async throws -> [AuditEntry] {
        try await view((any AuditStore).self, "audit trail").auditEntries(orderNo: orderNo)
    }

    public func prune(finishedBefore cutoff: Date, now: Date) async throws -> PruneReport {
        try await view((any RetentionStore).self, "retention").prune(finishedBefore: cutoff, now: now)
    }
}
