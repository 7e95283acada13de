import Foundation
import YidanCore
import YidanIngest
import YidanStore
import YidanXML

/// What the filings that follow an export's customs declarations (the CEB701
/// summary, the export tax record) have in common: they wait for all four
/// declarations to be final, and they are appended to the order once.
enum ExportFollowUpFiling {
    /// One read of an export order's filings and, once its declarations are
    /// final, its normalized order: what a finishing receipt's three follow-ups
    /// (CEB701, tax record, FX record) all decide from, read once per receipt.
    struct Snapshot: Sendable {
        let orderNo: String
        let filings: [FilingRecord]
        /// The order and its CEB603 filing once every export declaration (the
        /// latest version of each kind) is at its final success; nil before.
        let finished: (order: NormalizedOrder, inventory: FilingRecord)?

        static func read(orderNo: String, store: any FilingStore) async throws -> Snapshot {
            let filings = try await store.filings(orderNo: orderNo)
            for kind in MessageKind.exportDeclaration {
                guard let latest = filings.last(where: { $0.kind == kind }), latest.status == kind.finalSuccess else {
                    return Snapshot(orderNo: orderNo, filings: filings, finished: nil)
                }
            }
            guard let inventory = filings.last(where: { $0.kind == .ceb603 }),
                  let json = try await store.orderJSON(orderNo: orderNo)
            else { return Snapshot(orderNo: orderNo, filings: filings, finished: nil) }
            return Snapshot(orderNo: orderNo, filings: filings, finished: (try NormalizedOrderJSON.decode(json), inventory))
        }

        func has(_ kind: MessageKind) -> Bool {
            filings.contains { $0.kind == kind }
        }

        /// A finished export whose authority records are due: flag A as soon as
        /// the declarations are final (no `entryId`), flag B only once the CEB792
        /// has brought the `entryId`, which the records carry. Nil while not due.
        func dueForAuthorityRecords(store: any FilingStore) async throws -> (order: NormalizedOrder, export: ExportDetails, inventory: FilingRecord, entryId: String?)? {
            guard let (order, inventory) = finished, let export = order.export else { return nil }
            guard export.statisticsFlag == .summary else { return (order, export, inventory, nil) }
            guard let entryId = try await store.entryId(orderNo: orderNo) else { return nil }  // waits for the CEB792
            return (order, export, inventory, entryId)
        }
    }

    /// Checks the signed document against its schema and appends it to the
    /// order; nil when a concurrent receipt of the same order filed it first
    /// (the guid is derived, so the second insert is a duplicate).
    static func append(
        _ document: XMLDocument, id guid: String, kind: MessageKind, problems: [XMLSchemaIssue],
        orderNo: String, supersedes: String, store: any FilingStore, at now: Date
    ) async throws -> String? {
        guard problems.isEmpty else {
            throw YidanError(.schema, "\(kind.rawValue) fails its schema: " + problems.map(\.description).joined(separator: "; "))
        }
        let prepared = OrderChanges.prepared(document, id: guid, kind: kind, purpose: .declare, supersedes: supersedes)
        do {
            try await store.appendFilings(orderNo: orderNo, filings: [prepared], allowanceDelta: nil, at: now)
        } catch let error as YidanError where error.code == .duplicate {
            return nil
        }
        return guid
    }
}
