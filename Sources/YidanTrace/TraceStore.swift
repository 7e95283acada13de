import Crypto
public import Foundation
public import GRDB
import YidanCore

/// The provenance store: EPCIS events in the same SQLite file as the filings
/// (its own connection pool and its own `trace-v1-…` migration steps), indexed
/// by product, class, SKU, business transaction, bizStep, place and time, and
/// chained per product for tamper evidence (`TraceChain`).
public final class TraceStore: Sendable {
    let pool: DatabasePool
    public let vocabulary: CBVVocabulary?

    public init(path: String, vocabulary: CBVVocabulary? = nil) throws {
        var configuration = Configuration()
        configuration.label = "yidan.trace"
        configuration.busyMode = .timeout(5)
        do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            pool = try DatabasePool(path: path, configuration: configuration)
            try TraceMigrations.migrator.migrate(pool)
        } catch {
            throw YidanError(.store, "opening the trace store at \(path)", cause: error)
        }
        self.vocabulary = vocabulary
    }

    /// The trace store on a pool already open on the filings' SQLite file
    /// (`SQLiteFilingStore.databasePool`). Two pools on one file are two
    /// writers: each waits out the other's lock with SQLite's busy timeout,
    /// which sleeps in steps of milliseconds — under load, seconds of receipt
    /// latency. One pool has one writer queue and never waits that way.
    public init(sharing pool: DatabasePool, vocabulary: CBVVocabulary? = nil) throws {
        do {
            try TraceMigrations.migrator.migrate(pool)
        } catch {
            throw YidanError(.store, "opening the trace store in \(pool.path)", cause: error)
        }
        self.pool = pool
        self.vocabulary = vocabulary
    }

    /// Where an event came from: captured from a document, or recorded by yidan itself.
    public enum Origin: String, Sendable { case capture, yidan }

    public struct CaptureOutcome: Sendable, Equatable {
        /// Event hash ids stored now, in document order.
        public var captured: [String]
        /// Ids already stored (a capture is idempotent: the same event twice is one event).
        public var duplicates: [String]
    }

    /// Parses and stores a capture document (JSON-LD or XML): all events or none.
    public func capture(document data: Data, origin: Origin = .capture, at now: Date = Date()) async throws -> CaptureOutcome {
        try await capture(EPCISDocument.events(from: data, vocabulary: vocabulary), origin: origin, at: now)
    }

    /// Stores events in one transaction: if any fails, none is stored.
    public func capture(_ events: [EPCISEvent], origin: Origin = .capture, at now: Date = Date()) async throws -> CaptureOutcome {
        if let vocabulary {
            let issues = events.enumerated().flatMap { EPCISValidation.vocabularyIssues($1, at: "/epcisBody/eventList/\($0)", vocabulary: vocabulary) }
            guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        }
        do {
            return try await pool.write { db in
                var outcome = CaptureOutcome(captured: [], duplicates: [])
                for event in events {
                    let id = EventHash.id(event)
                    if try Bool.fetchOne(db, sql: "SELECT 1 FROM trace_events WHERE event_id = ?", arguments: [id]) == true {
                        outcome.duplicates.append(id)
                        continue
                    }
                    try Self.insert(event, id: id, origin: origin, at: now, db: db)
                    outcome.captured.append(id)
                }
                return outcome
            }
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.store, "capturing \(events.count) event(s)", cause: error)
        }
    }

    /// Stores `event` unless the order already has an event with its bizStep:
    /// one check-and-insert transaction, so two receipts meaning the same step
    /// at once record it once. Returns whether it was stored.
    public func captureFirst(_ event: EPCISEvent, ofOrder orderNo: String, origin: Origin = .yidan, at now: Date = Date()) async throws -> Bool {
        let step = event.bizStep.map { CBVTerm.bare($0, kind: .bizStep) ?? $0 }
        do {
            return try await pool.write { db in
                let existing = try Bool.fetchOne(db, sql: """
                    SELECT 1 FROM trace_keys k JOIN trace_events e ON e.seq = k.seq
                    WHERE k.key = ? AND k.kind = 'order' AND e.biz_step IS ? LIMIT 1
                    """, arguments: [orderNo, step]) ?? false
                let id = EventHash.id(event)
                guard !existing, try Bool.fetchOne(db, sql: "SELECT 1 FROM trace_events WHERE event_id = ?", arguments: [id]) != true else {
                    return false
                }
                try Self.insert(event, id: id, origin: origin, at: now, db: db)
                return true
            }
        } catch {
            throw YidanError(.store, "recording an order's event", cause: error)
        }
    }

    static func insert(_ event: EPCISEvent, id: String, origin: Origin, at now: Date, db: Database) throws {
        let namespaces = OrderedJSON.object(event.namespaces.keys.sorted().map { .init($0, .string(event.namespaces[$0] ?? "")) })
        try db.execute(sql: """
            INSERT INTO trace_events (event_id, event_type, event_time, biz_step, disposition, read_point, biz_location, body, namespaces, origin, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                id, event.kind.rawValue, event.eventTime.instant.timeIntervalSince1970,
                event.bizStep.map { CBVTerm.bare($0, kind: .bizStep) ?? $0 },
                event.disposition.map { CBVTerm.bare($0, kind: .disposition) ?? $0 },
                event.readPoint, event.bizLocation,
                EPCISJSONWriter.event(event).serialized(), namespaces.serialized(), origin.rawValue, now.timeIntervalSince1970,
            ])
        let seq = db.lastInsertedRowID
        for key in TraceKey.keys(for: event) {
            try db.execute(sql: "INSERT OR IGNORE INTO trace_keys (key, kind, seq) VALUES (?, ?, ?)", arguments: [key.value, key.kind, seq])
        }
        for product in Set(event.productIdentifiers.map(TraceKey.chainProduct)).sorted() {
            let last = try Row.fetchOne(db, sql: """
                SELECT position, link_hash FROM trace_chain WHERE product = ? ORDER BY position DESC LIMIT 1
                """, arguments: [product])
            let position: Int64 = (last?["position"] as Int64? ?? -1) + 1
            let previous: String = last?["link_hash"] ?? ""
            try db.execute(sql: """
                INSERT INTO trace_chain (product, position, seq, event_id, previous_hash, link_hash) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [product, position, seq, id, previous, TraceChain.linkHash(previous: previous, eventID: id)])
        }
    }
}

/// One stored event with its id and where it came from.
public struct StoredEvent: Sendable, Equatable {
    public var seq: Int64
    public var eventID: String
    public var event: EPCISEvent
    public var origin: TraceStore.Origin
}

extension StoredEvent {
    init(row: Row) throws {
        let body: String = row["body"]
        let namespacesText: String = row["namespaces"]
        let json = try OrderedJSON.parse(Data(body.utf8))
        var namespaces: [String: String] = [:]
        for member in try OrderedJSON.parse(Data(namespacesText.utf8)).members {
            namespaces[member.key] = member.value.stringValue
        }
        var issues: [FieldIssue] = []
        guard let event = EPCISJSONReader.event(json, at: "", namespaces: namespaces, issues: &issues) else {
            throw YidanError(.store, "stored event \(row["event_id"] as String? ?? "?") no longer reads: \(issues.map(\.description).joined(separator: "; "))")
        }
        self.init(seq: row["seq"], eventID: row["event_id"], event: event, origin: TraceStore.Origin(rawValue: row["origin"]) ?? .capture)
    }
}

/// The trace tables, as ordered named steps (append-only, like `StoreMigrations`).
enum TraceMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("trace-v1-events") { db in
            try db.execute(sql: """
                CREATE TABLE trace_events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL UNIQUE,
                    event_type TEXT NOT NULL,
                    event_time REAL NOT NULL,
                    biz_step TEXT,
                    disposition TEXT,
                    read_point TEXT,
                    biz_location TEXT,
                    body TEXT NOT NULL,
                    namespaces TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    recorded_at REAL NOT NULL
                );
                CREATE INDEX trace_events_time ON trace_events(event_time);
                CREATE INDEX trace_events_step ON trace_events(biz_step, event_time);
                CREATE INDEX trace_events_read_point ON trace_events(read_point, event_time);
                CREATE INDEX trace_events_biz_location ON trace_events(biz_location, event_time);
                """)
        }
        // Lookups by product, class, SKU and transaction go through this one
        // covering index: a trace is one range scan per key, then rows by seq.
        migrator.registerMigration("trace-v1-keys") { db in
            try db.execute(sql: """
                CREATE TABLE trace_keys (
                    key TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    seq INTEGER NOT NULL REFERENCES trace_events(seq),
                    PRIMARY KEY (key, kind, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("trace-v1-chain") { db in
            try db.execute(sql: """
                CREATE TABLE trace_chain (
                    product TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    seq INTEGER NOT NULL REFERENCES trace_events(seq),
                    event_id TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    link_hash TEXT NOT NULL,
                    PRIMARY KEY (product, position)
                ) WITHOUT ROWID;
                """)
        }
        // Keys of a known event (an order's products, "is it under an order?"):
        // without this, those questions scan every key.
        migrator.registerMigration("trace-v1-keys-by-event") { db in
            try db.execute(sql: "CREATE INDEX trace_keys_by_event ON trace_keys(seq, kind)")
        }
        return migrator
    }
}
