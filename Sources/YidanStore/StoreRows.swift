import Foundation
import GRDB
import YidanCore

/// How values cross the SQLite boundary, in one place so every table agrees
/// (see `StoreMigrations` for the conventions).
enum StoreColumn {
    /// Times are REAL seconds since 1970. A `Date` round-trips to within a
    /// quarter of a microsecond (a Double holding ~1.7e9 seconds).
    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
    static func seconds(_ date: Date?) -> Double? { date.map(\.timeIntervalSince1970) }
    static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
    static func date(_ seconds: Double?) -> Date? { seconds.map { Date(timeIntervalSince1970: $0) } }

    /// Money as exact decimal text.
    static func text(_ amount: Decimal) -> String { Money.format(amount) }

    static func decimal(_ text: String, column: String) throws -> Decimal {
        guard let value = Money.parse(text) else {
            throw YidanError(.store, "stored \(column) is not a decimal number")
        }
        return value
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// A filing's own columns, all but its payload (in `filing_payloads`, see
/// `StoreMigrations`' "v8-filing-payloads"): for `RETURNING` lists, read with
/// `FilingRecord(row:payload:)`.
let filingRowColumns = """
    id, order_no, kind, status, idempotency_key, attempts, next_attempt_at, lease_until,
    last_error, last_return_status, last_return_info, created_at, updated_at, purpose, supersedes
    """

/// The columns `FilingRecord(row:)` reads, for SELECT lists FROM `filingsWithPayloads`.
let filingColumns = filingRowColumns + ", payload"

/// `?, ?, ?` for an `IN (…)` list of `count` values. One statement text per
/// count, so the statement cache compiles each once.
func sqlPlaceholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

/// Filings joined to their payloads. Order by `filings.rowid`: both tables have one.
let filingsWithPayloads = "filings JOIN filing_payloads ON filing_payloads.filing_id = filings.id"

let receiptColumns = "id, filing_id, kind, return_status, return_info, return_time, received_at, channel, moved"

let attemptColumns = "filing_id, number, started_at, http_status, latency_ms, error"

extension FilingRecord {
    /// A row of `filingColumns`.
    init(row: Row) throws {
        try self.init(row: row, payload: row.decode(forColumn: "payload"))
    }

    /// A row of `filingRowColumns` and its payload.
    init(row: Row, payload: Data) throws {
        let kindText = try row.decode(String.self, forColumn: "kind")
        guard let kind = MessageKind(rawValue: kindText) else {
            throw YidanError(.store, "unknown filing kind '\(kindText)' in the store")
        }
        let statusText = try row.decode(String.self, forColumn: "status")
        guard let status = FilingStatus(rawValue: statusText) else {
            throw YidanError(.store, "unknown filing status '\(statusText)' in the store")
        }
        self.init(
            id: try row.decode(forColumn: "id"),
            orderNo: try row.decode(forColumn: "order_no"),
            kind: kind,
            status: status,
            payload: payload,
            idempotencyKey: try row.decode(forColumn: "idempotency_key"),
            attempts: try row.decode(forColumn: "attempts"),
            nextAttemptAt: StoreColumn.date(try row.decode(Double?.self, forColumn: "next_attempt_at")),
            leaseUntil: StoreColumn.date(try row.decode(Double?.self, forColumn: "lease_until")),
            lastError: try row.decode(forColumn: "last_error"),
            lastReturnStatus: try row.decode(forColumn: "last_return_status"),
            lastReturnInfo: try row.decode(forColumn: "last_return_info"),
            createdAt: StoreColumn.date(try row.decode(Double.self, forColumn: "created_at")),
            updatedAt: StoreColumn.date(try row.decode(Double.self, forColumn: "updated_at")),
            purpose: try FilingPurpose.decode(row),
            supersedes: try row.decode(forColumn: "supersedes")
        )
    }
}

extension FilingPurpose {
    static func decode(_ row: Row) throws -> FilingPurpose {
        let text = try row.decode(String.self, forColumn: "purpose")
        guard let purpose = FilingPurpose(rawValue: text) else {
            throw YidanError(.store, "unknown filing purpose '\(text)' in the store")
        }
        return purpose
    }
}

extension StoredReceipt {
    init(row: Row) throws {
        let kindText = try row.decode(String.self, forColumn: "kind")
        guard let kind = ReceiptKind(rawValue: kindText) else {
            throw YidanError(.store, "unknown receipt kind '\(kindText)' in the store")
        }
        self.init(
            id: try row.decode(forColumn: "id"),
            filingID: try row.decode(forColumn: "filing_id"),
            kind: kind,
            returnStatus: try row.decode(forColumn: "return_status"),
            returnInfo: try row.decode(forColumn: "return_info"),
            returnTime: try row.decode(forColumn: "return_time"),
            receivedAt: StoreColumn.date(try row.decode(Double.self, forColumn: "received_at")),
            channel: try row.decode(forColumn: "channel"),
            moved: try row.decode(forColumn: "moved")
        )
    }
}

extension AttemptRecord {
    init(row: Row) throws {
        self.init(
            filingID: try row.decode(forColumn: "filing_id"),
            number: try row.decode(forColumn: "number"),
            startedAt: StoreColumn.date(try row.decode(Double.self, forColumn: "started_at")),
            httpStatus: try row.decode(forColumn: "http_status"),
            latencyMilliseconds: try row.decode(forColumn: "latency_ms"),
            error: try row.decode(forColumn: "error")
        )
    }
}
