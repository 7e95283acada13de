import Logging
import PostgresNIO
import YidanCore

/// The PostgreSQL schema, as ordered, named migration steps (the SQLite
/// store's `StoreMigrations`, in PostgreSQL's types).
///
/// Steps are append-only: once shipped, a step is never edited; a change is a
/// new step. Applied steps are recorded in `yidan_migrations`.
///
/// Several workers may start at once: all steps run in one transaction that
/// first takes a transaction-scoped advisory lock, so one process migrates
/// and the others wait, then find every step applied.
///
/// Column conventions:
/// - times are `double precision` seconds since 1970 (the SQLite store's
///   convention: a `Date` round-trips exactly, and claim comparisons are plain);
/// - money is `numeric`, exact;
/// - enums are `text` holding their raw value;
/// - `seq` columns keep insertion order (SQLite's rowid).
enum PostgresMigrations {
    struct Step: Sendable {
        let name: String
        let sql: [String]
    }

    /// First key of the advisory lock that serialises migrations (ASCII "ydn1");
    /// the second is the schema's hash, so stores in different schemas do not wait for each other.
    static let lockClass: Int64 = 0x7964_6E31

    static let steps: [Step] = [
        Step(name: "v1-orders", sql: [
            """
            CREATE TABLE orders (
                order_no text PRIMARY KEY,
                platform text NOT NULL,
                order_json bytea NOT NULL,
                accepted_at double precision NOT NULL,
                merchant text,
                agent text
            )
            """,
            "CREATE INDEX orders_by_merchant ON orders(merchant)",
        ]),
        // The outbox. `lease_owner` names the worker holding a `sending` filing
        // (its heartbeats extend only its own leases); `lease_rescues` counts
        // claims of a filing whose lease had run out (a worker died mid-send).
        Step(name: "v1-filings-outbox", sql: [
            """
            CREATE TABLE filings (
                seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                id text PRIMARY KEY,
                order_no text NOT NULL REFERENCES orders(order_no),
                kind text NOT NULL,
                status text NOT NULL,
                payload bytea NOT NULL,
                idempotency_key text NOT NULL UNIQUE,
                attempts bigint NOT NULL DEFAULT 0,
                next_attempt_at double precision,
                lease_until double precision,
                lease_owner text,
                lease_rescues bigint NOT NULL DEFAULT 0,
                last_error text,
                last_return_status text,
                last_return_info text,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                purpose text NOT NULL DEFAULT 'declare',
                supersedes text REFERENCES filings(id)
            )
            """,
            "CREATE INDEX filings_outbox_claim ON filings(status, next_attempt_at)",
            "CREATE INDEX filings_outbox_lease ON filings(status, lease_until)",
            "CREATE INDEX filings_by_order ON filings(order_no, seq)",
            "CREATE INDEX filings_by_status_created ON filings(status, created_at)",
        ]),
        Step(name: "v1-attempts", sql: [
            """
            CREATE TABLE attempts (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                filing_id text NOT NULL REFERENCES filings(id),
                number bigint NOT NULL,
                started_at double precision NOT NULL,
                http_status bigint,
                latency_ms double precision NOT NULL,
                error text,
                worker text
            )
            """,
            "CREATE INDEX attempts_by_filing ON attempts(filing_id, number)",
        ]),
        Step(name: "v1-receipts", sql: [
            """
            CREATE TABLE receipts (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                filing_id text REFERENCES filings(id),
                kind text NOT NULL,
                message_guid text NOT NULL,
                business_no text NOT NULL,
                return_status text NOT NULL,
                return_info text NOT NULL,
                return_time text NOT NULL,
                raw bytea NOT NULL,
                received_at double precision NOT NULL,
                channel text NOT NULL,
                moved boolean NOT NULL DEFAULT false,
                invt_no text,
                entry_id text
            )
            """,
            "CREATE INDEX receipts_by_filing ON receipts(filing_id, id)",
            "CREATE INDEX receipts_unmatched ON receipts(id) WHERE filing_id IS NULL",
            "CREATE INDEX receipts_by_invt_no ON receipts(invt_no) WHERE invt_no IS NOT NULL",
            "CREATE INDEX receipts_by_entry_id ON receipts(filing_id) WHERE entry_id IS NOT NULL",
        ]),
        Step(name: "v1-buyer-allowance", sql: [
            """
            CREATE TABLE buyer_allowance (
                buyer_key text NOT NULL,
                year bigint NOT NULL,
                used numeric NOT NULL,
                PRIMARY KEY (buyer_key, year)
            )
            """,
        ]),
        Step(name: "v1-tax-bills", sql: [
            """
            CREATE TABLE tax_bills (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                guid text NOT NULL,
                tax_no text NOT NULL,
                invt_no text NOT NULL,
                order_no text REFERENCES orders(order_no),
                status text NOT NULL,
                differences text NOT NULL,
                raw bytea NOT NULL,
                received_at double precision NOT NULL,
                channel text NOT NULL
            )
            """,
            "CREATE INDEX tax_bills_by_order ON tax_bills(order_no, id)",
            "CREATE INDEX tax_bills_unmatched ON tax_bills(id) WHERE order_no IS NULL",
        ]),
        // API keys (only a hash of the secret) and the first answers to
        // idempotent requests, for `yidan serve` (`AccessStore`).
        Step(name: "v2-access", sql: [
            """
            CREATE TABLE api_keys (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                hash text NOT NULL UNIQUE,
                role text NOT NULL,
                subject text NOT NULL,
                merchants text[] NOT NULL,
                label text,
                created_at double precision NOT NULL,
                revoked_at double precision
            )
            """,
            """
            CREATE TABLE idempotency_records (
                key text NOT NULL,
                merchant text NOT NULL,
                request_digest text NOT NULL,
                response_status bigint NOT NULL,
                response_body bytea NOT NULL,
                created_at double precision NOT NULL,
                PRIMARY KEY (key, merchant)
            )
            """,
        ]),
        // Every status move, written in the transaction that makes it. Ids
        // must follow commit order (the broker's stream reads `id > last`):
        // a writer takes the status-log advisory lock before drawing an id and
        // holds it to commit (`PostgresFilingStore.logMoves`).
        Step(name: "v2-status-changes", sql: [
            """
            CREATE TABLE status_changes (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                filing_id text NOT NULL REFERENCES filings(id),
                order_no text NOT NULL,
                kind text NOT NULL,
                from_status text,
                to_status text NOT NULL,
                at double precision NOT NULL,
                return_status text,
                cause text NOT NULL
            )
            """,
            "CREATE INDEX status_changes_by_filing ON status_changes(filing_id, id)",
            "CREATE INDEX filings_by_created ON filings(created_at, id)",
        ]),
        // The hash-chained audit trail (`AuditStore`): `seq` is the chain
        // position, drawn as last + 1 under the status log's advisory lock
        // (`PostgresFilingStore.appendAudit`), so it has no gaps and follows commit order.
        Step(name: "v3-audit-trail", sql: [
            """
            CREATE TABLE audit_trail (
                seq bigint PRIMARY KEY,
                at_us bigint NOT NULL,
                event text NOT NULL,
                order_no text,
                filing_id text,
                detail text NOT NULL,
                digest text NOT NULL,
                prev_hash text NOT NULL,
                hash text NOT NULL
            )
            """,
            "CREATE INDEX audit_trail_by_order ON audit_trail(order_no, seq)",
        ]),
        // Retention (`RetentionStore`): when an order's payloads were removed.
        Step(name: "v3-retention", sql: [
            "ALTER TABLE orders ADD COLUMN pruned_at double precision",
        ]),
        // Orders acknowledged before filing (`OrderQueueStore`, the SQLite
        // store's `v7-order-queue`). `seq` breaks ties of `received_at`
        // (SQLite's rowid): orders arriving in one second wait in arrival order.
        Step(name: "v4-order-queue", sql: [
            """
            CREATE TABLE order_queue (
                seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
                order_no text PRIMARY KEY,
                merchant text NOT NULL,
                order_json bytea NOT NULL,
                received_at double precision NOT NULL,
                state text NOT NULL,
                problem text,
                finished_at double precision
            )
            """,
            "CREATE INDEX order_queue_by_state ON order_queue(state, received_at, seq)",
        ]),
    ]

    /// Creates the schema if asked, then applies the steps not yet recorded,
    /// all under the advisory lock, in one transaction.
    static func migrate(_ connection: PostgresConnection, schema: String?, logger: Logger) async throws -> [String] {
        try await connection.query("BEGIN", logger: logger)
        do {
            let lockScope = schema ?? "public"
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Int32(truncatingIfNeeded: lockClass)), hashtext(\(lockScope)))", logger: logger
            )
            if let schema {
                // `schema` passed `PostgresLocation.isPlainIdentifier`: safe to splice.
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)"), logger: logger)
            }
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS yidan_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger
            )
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM yidan_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            var ran: [String] = []
            for step in steps where !applied.contains(step.name) {
                for statement in step.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO yidan_migrations (name) VALUES (\(step.name))", logger: logger)
                ran.append(step.name)
            }
            try await connection.query("COMMIT", logger: logger)
            return ran
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
