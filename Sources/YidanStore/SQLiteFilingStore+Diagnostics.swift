import GRDB

/// Looks inside the database for tests and diagnostics, without exposing GRDB.
extension SQLiteFilingStore {
    /// The first column of the first row of `sql`, as text, run on the writer
    /// connection (the one whose PRAGMAs govern commits).
    func writerScalar(_ sql: String) async throws -> String? {
        try await pool.writeWithoutTransaction { db in try Self.text(DatabaseValue.fetchOne(db, sql: sql)) }
    }

    /// The same on a reader connection.
    func readerScalar(_ sql: String) async throws -> String? {
        try await pool.read { db in try Self.text(DatabaseValue.fetchOne(db, sql: sql)) }
    }

    /// Names of the migration steps this file has applied, in order.
    func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try StoreMigrations.migrator.appliedMigrations(db) }
    }

    /// Integers and reals as their decimal text, so PRAGMA answers compare as strings.
    private static func text(_ value: DatabaseValue?) -> String? {
        switch value?.storage {
        case let .int64(number): "\(number)"
        case let .double(number): "\(number)"
        case let .string(text): text
        case .blob, .null, nil: nil
        }
    }
}
