public import Foundation
import PostgresNIO
import YidanCore
public import YidanStore

extension PostgresFilingStore: PersonalDataResealing {
    /// Rows re-sealed per transaction: short transactions, so workers sharing
    /// the database keep accepting and delivering while a key rotation runs.
    static let resealBatch = 500

    public func resealPersonalData(
        _ transform: @escaping @Sendable (_ table: PersonalDataTable, _ rowID: String, _ stored: Data) throws -> Data?
    ) async throws -> Int {
        var changed = 0
        for table in PersonalDataTable.allCases {
            changed += try await reseal(table: table, transform)
        }
        return changed
    }

    /// Walks the table in key order, one locked batch per transaction.
    private func reseal(
        table: PersonalDataTable, _ transform: @escaping @Sendable (PersonalDataTable, String, Data) throws -> Data?
    ) async throws -> Int {
        let (sqlTable, key, column) = table.location
        var after = ""
        var changed = 0
        while true {
            let cursor = after
            let (count, last, more) = try await transaction("re-sealing personal data") { connection -> (Int, String, Bool) in
                // Table and column names are constants (`PersonalDataTable.location`): safe to splice.
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: key), \(unescaped: column) FROM \(unescaped: sqlTable)
                    WHERE \(unescaped: key) > \(cursor) ORDER BY \(unescaped: key) LIMIT \(Self.resealBatch) FOR UPDATE
                    """,
                    logger: logger
                ).collect()
                var count = 0
                var last = cursor
                for row in rows {
                    let (id, stored) = try row.decode((String, Data).self)
                    last = id
                    guard let replacement = try transform(table, id, stored) else { continue }
                    try await connection.query(
                        "UPDATE \(unescaped: sqlTable) SET \(unescaped: column) = \(replacement) WHERE \(unescaped: key) = \(id)",
                        logger: logger
                    )
                    count += 1
                }
                return (count, last, rows.count == Self.resealBatch)
            }
            changed += count
            after = last
            if !more { return changed }
        }
    }
}
