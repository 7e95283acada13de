import Foundation
import PostgresNIO
import YidanCore
import YidanStore

/// How rows become the store's records (columns as `PostgresMigrations` defines them).
enum PostgresRows {
    static let filingColumns = """
        id, order_no, kind, status, payload, idempotency_key, attempts, next_attempt_at, lease_until,
        last_error, last_return_status, last_return_info, created_at, updated_at, purpose, supersedes, seq
        """
    static let receiptColumns = "id, filing_id, kind, return_status, return_info, return_time, received_at, channel, moved"
    static let attemptColumns = "filing_id, number, started_at, http_status, latency_ms, error"
    static let taxBillColumns = "id, guid, tax_no, invt_no, order_no, status, differences, raw, received_at, channel"

    static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    static func raw<T: RawRepresentable>(_ type: T.Type, _ cell: PostgresCell, _ what: String) throws -> T where T.RawValue == String {
        let text = try cell.decode(String.self)
        guard let value = T(rawValue: text) else {
            throw YidanError(.store, "unknown \(what) '\(text)' in the store")
        }
        return value
    }

    /// A filing and its insertion order (`seq`), which `claimDue` sorts by.
    static func filing(_ row: PostgresRow) throws -> (record: FilingRecord, seq: Int64) {
        let cells = row.makeRandomAccess()
        let record = FilingRecord(
            id: try cells["id"].decode(String.self),
            orderNo: try cells["order_no"].decode(String.self),
            kind: try raw(MessageKind.self, cells["kind"], "filing kind"),
            status: try raw(FilingStatus.self, cells["status"], "filing status"),
            payload: try cells["payload"].decode(Data.self),
            idempotencyKey: try cells["idempotency_key"].decode(String.self),
            attempts: try cells["attempts"].decode(Int.self),
            nextAttemptAt: try cells["next_attempt_at"].decode(Double?.self).map(date),
            leaseUntil: try cells["lease_until"].decode(Double?.self).map(date),
            lastError: try cells["last_error"].decode(String?.self),
            lastReturnStatus: try cells["last_return_status"].decode(String?.self),
            lastReturnInfo: try cells["last_return_info"].decode(String?.self),
            createdAt: date(try cells["created_at"].decode(Double.self)),
            updatedAt: date(try cells["updated_at"].decode(Double.self)),
            purpose: try raw(FilingPurpose.self, cells["purpose"], "filing purpose"),
            supersedes: try cells["supersedes"].decode(String?.self)
        )
        return (record, try cells["seq"].decode(Int64.self))
    }

    static func receipt(_ row: PostgresRow) throws -> StoredReceipt {
        let cells = row.makeRandomAccess()
        return StoredReceipt(
            id: try cells["id"].decode(Int64.self),
            filingID: try cells["filing_id"].decode(String?.self),
            kind: try raw(ReceiptKind.self, cells["kind"], "receipt kind"),
            returnStatus: try cells["return_status"].decode(String.self),
            returnInfo: try cells["return_info"].decode(String.self),
            returnTime: try cells["return_time"].decode(String.self),
            receivedAt: date(try cells["received_at"].decode(Double.self)),
            channel: try cells["channel"].decode(String.self),
            moved: try cells["moved"].decode(Bool.self)
        )
    }

    static func attempt(_ row: PostgresRow) throws -> AttemptRecord {
        let cells = row.makeRandomAccess()
        return AttemptRecord(
            filingID: try cells["filing_id"].decode(String.self),
            number: try cells["number"].decode(Int.self),
            startedAt: date(try cells["started_at"].decode(Double.self)),
            httpStatus: try cells["http_status"].decode(Int?.self),
            latencyMilliseconds: try cells["latency_ms"].decode(Double.self),
            error: try cells["error"].decode(String?.self)
        )
    }

    /// The `differences` column: the reconciliation's differences and, for an
    /// unchecked bill, why — as JSON text (the SQLite store's format).
    struct TaxBillOutcome: Codable {
        var differences: [TaxBillRecord.Difference]
        var note: String?
    }

    static func encodeOutcome(_ bill: TaxBillRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(TaxBillOutcome(differences: bill.differences, note: bill.note))
        return String(decoding: data, as: UTF8.self)
    }

    static func taxBill(_ row: PostgresRow) throws -> TaxBillRecord {
        let cells = row.makeRandomAccess()
        let outcome: TaxBillOutcome
        do {
            outcome = try JSONDecoder().decode(TaxBillOutcome.self, from: Data(try cells["differences"].decode(String.self).utf8))
        } catch {
            throw YidanError(.store, "unreadable tax bill differences in the store", cause: error)
        }
        return TaxBillRecord(
            id: try cells["id"].decode(Int64.self),
            guid: try cells["guid"].decode(String.self),
            taxNo: try cells["tax_no"].decode(String.self),
            invtNo: try cells["invt_no"].decode(String.self),
            orderNo: try cells["order_no"].decode(String?.self),
            status: try raw(TaxBillRecord.Status.self, cells["status"], "tax bill status"),
            differences: outcome.differences,
            note: outcome.note,
            raw: try cells["raw"].decode(Data.self),
            receivedAt: date(try cells["received_at"].decode(Double.self)),
            channel: try cells["channel"].decode(String.self)
        )
    }
}
