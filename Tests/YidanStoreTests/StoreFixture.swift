import Foundation
import YidanCore
@testable import YidanStore
import YidanChildProcess

/// A real SQLite file in a fresh temporary folder, removed when the test ends.
struct TemporaryStoreFolder: ~Copyable {
    let folder: URL
    var path: String { folder.appendingPathComponent("yidan.sqlite").path }

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    func open() throws -> SQLiteFilingStore {
        try SQLiteFilingStore(path: path)
    }
}

/// Test data. Times are whole seconds so they round-trip exactly.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_750_000_000)
    static let annualLimit: Decimal = 26_000

    /// A 36-character upper-case guid derived from a readable seed, so tests can name filings.
    static func guid(_ seed: String) -> String {
        let hex = seed.utf8.map { String(format: "%02X", $0) }.joined()
        let digits = (hex + String(repeating: "0", count: 32)).prefix(32)
        let d = Array(digits)
        return "\(String(d[0..<8]))-\(String(d[8..<12]))-\(String(d[12..<16]))-\(String(d[16..<20]))-\(String(d[20..<32]))"
    }

    static func filing(_ seed: String, _ kind: MessageKind) -> PreparedFiling {
        let payload = Data("<\(kind.rootElement) guid=\"\(guid(seed))\"/>".utf8)
        return PreparedFiling(id: guid(seed), kind: kind, payload: payload, idempotencyKey: "key-\(seed)")
    }

    static func submission(
        _ orderNo: String,
        kinds: [MessageKind] = [.ceb311, .ceb621],
        buyer: String = "buyer-hash-1",
        amount: Decimal = 100,
        limit: Decimal = annualLimit,
        at acceptedAt: Date = t0
    ) -> OrderSubmission {
        OrderSubmission(
            orderNo: orderNo,
            platform: "test-platform",
            orderJSON: Data(#"{"orderNo":"\#(orderNo)"}"#.utf8),
            filings: kinds.map { filing("\(orderNo)-\($0.rawValue)", $0) },
            allowance: AllowanceUse(buyerKey: buyer, year: 2025, amount: amount, limit: limit),
            acceptedAt: acceptedAt
        )
    }

    static func receipt(
        for filingID: String, kind: ReceiptKind = .ceb312, status: String = "2", info: String = "ok",
        at receivedAt: Date = t0
    ) -> ReceiptRecord {
        ReceiptRecord(
            kind: kind, messageGuid: filingID, businessNo: "ORDER-1", returnStatus: status, returnInfo: info,
            returnTime: "20250615120000000", raw: Data("<\(kind.rootElement)/>".utf8), receivedAt: receivedAt,
            channel: "http"
        )
    }

    static func attempt(_ filingID: String, number: Int = 1, at: Date = t0, http: Int? = 200, error: String? = nil) -> AttemptRecord {
        AttemptRecord(filingID: filingID, number: number, startedAt: at, httpStatus: http, latencyMilliseconds: 12.5, error: error)
    }
}

/// Runs a query with Python's sqlite3 in a separate process: a connection
/// that shares nothing with the store's, reading only what is on disk.
func sqliteInChildProcess(path: String, query: String) throws -> String {
    let script = """
        import sqlite3, sys
        connection = sqlite3.connect(sys.argv[1])
        for row in connection.execute(sys.argv[2]):
            print("|".join("" if v is None else str(v) for v in row))
        """
    let process = try ChildProcess.run("/usr/bin/python3", ["-c", script, path, query])
    return process.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
