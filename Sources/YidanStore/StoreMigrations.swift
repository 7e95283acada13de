import GRDB

/// The SQLite schema, as ordered, named migration steps.
///
/// Steps are append-only: once a step has shipped it is never edited, a
/// change is a new step. GRDB records applied steps in `grdb_migrations`, so
/// opening an existing file runs only the steps it has not seen.
///
/// Column conventions (the same in every table):
/// - times are REAL seconds since 1970-01-01T00:00:00Z (`datetime(x, 'unixepoch')` reads them);
/// - money is TEXT holding a plain decimal literal, so it stays exact;
/// - enums are TEXT holding their raw value (`FilingStatus`, `MessageKind`, `ReceiptKind`).
enum StoreMigrations {
    /// The step names, in the order they run.
    static let names = ["v1-orders", "v1-filings-outbox", "v1-attempts", "v1-receipts", "v1-buyer-allowance", "v2-filing-purpose", "v2-tax-bills", "v3-export-summary", "v4-order-parties", "v4-status-changes", "v4-access", "v5-audit-trail", "v5-retention", "v6-outbox-covering-indexes", "v7-order-queue", "v8-filing-payloads"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-orders") { db in
            try db.execute(sql: """
                CREATE TABLE orders (
                    order_no TEXT PRIMARY KEY NOT NULL,
                    platform TEXT NOT NULL,
                    order_json BLOB NOT NULL,
                    accepted_at REAL NOT NULL
                )
                """)
        }

        // The outbox: a filing is a row; the dispatcher claims rows by
        // (status, next_attempt_at) and holds them with a lease.
        migrator.registerMigration("v1-filings-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE filings (
                    id TEXT PRIMARY KEY NOT NULL,
                    order_no TEXT NOT NULL REFERENCES orders(order_no),
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    idempotency_key TEXT NOT NULL UNIQUE,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at REAL,
                    lease_until REAL,
                    last_error TEXT,
                    last_return_status TEXT,
                    last_return_info TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX filings_outbox_claim ON filings(status, next_attempt_at);
                CREATE INDEX filings_by_order ON filings(order_no);
                CREATE INDEX filings_by_status_created ON filings(status, created_at);
                """)
        }

        migrator.registerMigration("v1-attempts") { db in
            try db.execute(sql: """
                CREATE TABLE attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    filing_id TEXT NOT NULL REFERENCES filings(id),
                    number INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    http_status INTEGER,
                    latency_ms REAL NOT NULL,
                    error TEXT
                );
                CREATE INDEX attempts_by_filing ON attempts(filing_id, number);
                """)
        }

        // Receipts are kept whatever they do: filing_id is NULL when no filing
        // has the guid they name; `moved` says whether it changed a status.
        migrator.registerMigration("v1-receipts") { db in
            try db.execute(sql: """
                CREATE TABLE receipts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    filing_id TEXT REFERENCES filings(id),
                    kind TEXT NOT NULL,
                    message_guid TEXT NOT NULL,
                    business_no TEXT NOT NULL,
                    return_status TEXT NOT NULL,
                    return_info TEXT NOT NULL,
                    return_time TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    received_at REAL NOT NULL,
                    channel TEXT NOT NULL,
                    moved INTEGER NOT NULL DEFAULT 0 CHECK (moved IN (0, 1))
                );
                CREATE INDEX receipts_by_filing ON receipts(filing_id, id);
                CREATE INDEX receipts_unmatched ON receipts(id) WHERE filing_id IS NULL;
                """)
        }

        // `used` is TEXT: an exact decimal, never a floating-point number.
        migrator.registerMigration("v1-buyer-allowance") { db in
            try db.execute(sql: """
                CREATE TABLE buyer_allowance (
                    buyer_key TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    used TEXT NOT NULL,
                    PRIMARY KEY (buyer_key, year)
                )
                """)
        }

        // Changes over time: an order's later filings (amend, cancel, return,
        // reversals) sit next to its first ones; `purpose` says why each was
        // filed, `supersedes` names the earlier filing it amends or reverses.
        // Existing rows are first declarations.
        migrator.registerMigration("v2-filing-purpose") { db in
            try db.execute(sql: """
                ALTER TABLE filings ADD COLUMN purpose TEXT NOT NULL DEFAULT 'declare';
                ALTER TABLE filings ADD COLUMN supersedes TEXT REFERENCES filings(id);
                CREATE INDEX filings_by_order_purpose ON filings(order_no, purpose);
                """)
        }

        // Customs tax bills (CEB816) name only the inventory number, which the
        // CEB622 receipts carry: receipts keep it in `invt_no`. A bill is kept
        // whatever it matched (order_no NULL when no inventory had its number);
        // `differences` is the reconciliation, one JSON object per difference.
        migrator.registerMigration("v2-tax-bills") { db in
            try db.execute(sql: """
                ALTER TABLE receipts ADD COLUMN invt_no TEXT;
                CREATE INDEX receipts_by_invt_no ON receipts(invt_no) WHERE invt_no IS NOT NULL;
                CREATE TABLE tax_bills (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    guid TEXT NOT NULL,
                    tax_no TEXT NOT NULL,
                    invt_no TEXT NOT NULL,
                    order_no TEXT REFERENCES orders(order_no),
                    status TEXT NOT NULL,
                    differences TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    received_at REAL NOT NULL,
                    channel TEXT NOT NULL
                );
                CREATE INDEX tax_bills_by_order ON tax_bills(order_no, id);
                CREATE INDEX tax_bills_unmatched ON tax_bills(id) WHERE order_no IS NULL;
                """)
        }

        // Export summaries: the CEB792 summary result names the customs
        // declaration (entryId) an export's tax and FX records cite; its
        // receipt row keeps it, so the order's entryId is one indexed lookup.
        migrator.registerMigration("v3-export-summary") { db in
            try db.execute(sql: """
                ALTER TABLE receipts ADD COLUMN entry_id TEXT;
                CREATE INDEX receipts_by_entry_id ON receipts(filing_id) WHERE entry_id IS NOT NULL;
                """)
        }

        // The broker's desk filters by merchant (ebcCode) and agent
        // (agentCode): columns, filled for orders stored before from their JSON
        // where it is plain JSON (a sealed order stays NULL). Pages of filings
        // run by (created_at, id).
        migrator.registerMigration("v4-order-parties") { db in
            try db.execute(sql: """
                ALTER TABLE orders ADD COLUMN merchant TEXT;
                ALTER TABLE orders ADD COLUMN agent TEXT;
                UPDATE orders SET
                    merchant = CASE WHEN json_valid(CAST(order_json AS TEXT))
                        THEN json_extract(CAST(order_json AS TEXT), '$.enterprises.ebcCode') END,
                    agent = CASE WHEN json_valid(CAST(order_json AS TEXT))
                        THEN json_extract(CAST(order_json AS TEXT), '$.enterprises.agentCode') END;
                CREATE INDEX orders_by_merchant ON orders(merchant);
                CREATE INDEX filings_by_created ON filings(created_at, id);
                """)
        }

        // Every status move, written in the transaction that makes it, in
        // commit order (`id`). `from_status` is NULL for a filing's first
        // status. Moves made before this step are not in the log.
        migrator.registerMigration("v4-status-changes") { db in
            try db.execute(sql: """
                CREATE TABLE status_changes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    filing_id TEXT NOT NULL REFERENCES filings(id),
                    order_no TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    at REAL NOT NULL,
                    return_status TEXT,
                    cause TEXT NOT NULL
                );
                CREATE INDEX status_changes_by_filing ON status_changes(filing_id, id);
                """)
        }

        // API keys (only a hash of the secret) and the first answers to
        // idempotent requests. `merchants` is the broker's appointed merchant
        // codes, one per line.
        migrator.registerMigration("v4-access") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    hash TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    merchants TEXT NOT NULL,
                    label TEXT,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                CREATE TABLE idempotency_records (
                    key TEXT NOT NULL,
                    merchant TEXT NOT NULL,
                    request_digest TEXT NOT NULL,
                    response_status INTEGER NOT NULL,
                    response_body BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (key, merchant)
                );
                """)
        }

        // The append-only, hash-chained audit trail (`AuditTrail.swift`):
        // digests of every message accepted, sent and received.
        migrator.registerMigration("v5-audit-trail") { db in
            try SQLiteFilingStore.createAuditTrail(db)
        }

        // Retention (`SQLiteFilingStore+Retention.swift`): when an order's bytes were pruned.
        migrator.registerMigration("v5-retention") { db in
            try SQLiteFilingStore.addRetentionColumns(db)
        }

        // Covering indexes for the dispatcher's claim (`SQLiteFilingStore+OutboxIndexes.swift`).
        migrator.registerMigration("v6-outbox-covering-indexes") { db in
            try SQLiteFilingStore.createOutboxIndexes(db)
        }

        // Orders acknowledged before they are filed (`SQLiteFilingStore+OrderQueue.swift`).
        migrator.registerMigration("v7-order-queue") { db in
            try SQLiteFilingStore.createOrderQueue(db)
        }

        // Payloads out of the filings rows (`SQLiteFilingStore+Payloads.swift`).
        migrator.registerMigration("v8-filing-payloads") { db in
            try SQLiteFilingStore.movePayloadsOutOfFilings(db)
        }

        return migrator
    }
}
