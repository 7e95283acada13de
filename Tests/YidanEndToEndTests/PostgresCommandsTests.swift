import Foundation
import Logging
import PostgresNIO
import Testing
import YidanCore
import YidanSimulator
import YidanStore
import YidanStorePostgres

/// The command line on a PostgreSQL store, through the built binary:
/// `submit` two orders, a `yidan worker` delivers them to the simulator until
/// final, then `status`, `list --json` and `audit verify` read the same
/// database, and no buyer ID number sits in its tables in the clear.
///
/// Needs `YIDAN_TEST_POSTGRES_URL`; skipped locally without it, failing under CI.
@Suite struct PostgresCommandsTests {
    @Test(.enabled(if: PostgresWorkersTests.enabled, "set YIDAN_TEST_POSTGRES_URL to run the PostgreSQL command test"))
    func submitDeliverAndReadBackOnPostgres() async throws {
        let url = try #require(PostgresWorkersTests.url, "CI is set but YIDAN_TEST_POSTGRES_URL is not")
        let schema = "cli_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let storeURL = url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
        let folder = try Harness.temporaryFolder("pg-commands")
        let quiet = Logger(label: "yidan.test", factory: { _ in SwiftLogNoOpLogHandler() })
        defer { try? FileManager.default.removeItem(at: folder) }
        let inbox = folder.appendingPathComponent("inbox", isDirectory: true)
        let dataKey = DataKeyRing.newKeyLine(id: "cli-test")
        let fixtures = ["milk-powder-9610.json", "skincare-9610.json"].map { Harness.orders.appendingPathComponent($0) }
        let idNumber = "110105199003071239"
        #expect(try String(contentsOf: fixtures[0], encoding: .utf8).contains(idNumber))

        let simulator = try AuthoritySimulator(configuration: SimulatorConfiguration(
            stepDelay: .milliseconds(100), inboxDirectory: inbox,
            schemaURL: SimulatorConfiguration.importSchema(inMappings: Harness.mappings)
        ))
        let base = try await simulator.start()
        var worker: YidanProcess?
        do {
            func yidan(_ arguments: [String], _ name: String) async throws -> (status: Int32, stdout: String, stderr: String) {
                let child = try YidanProcess(
                    arguments: arguments + ["--store", storeURL], folder: folder, name: name, environment: ["YIDAN_DATA_KEY": dataKey]
                )
                try child.start()
                await child.waitForExit()
                return (child.terminationStatus, child.stdout, child.stderr)
            }
            let submitted = try await yidan(["submit"] + fixtures.map(\.path), "submit")
            try #require(submitted.status == 0, "\(submitted.stderr)")
            // No SQLite file named after the URL appeared beside the commands.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains("postgres") })

            let running = try YidanProcess(
                arguments: [
                    "worker", "--store", storeURL, "--gateway", base.absoluteString + "/dxp/messages", "--inbox", inbox.path,
                    "--poll-seconds", "0.1", "--log-level", "warning",
                ],
                folder: folder, name: "worker", environment: ["YIDAN_DATA_KEY": dataKey]
            )
            try running.start()
            worker = running
            let store = try await PostgresFilingStore.open(PostgresLocation(url: storeURL), logger: quiet)
            let done = try await Harness.eventually(timeout: .seconds(60)) {
                let filings = try await Harness.allFilings(store)
                return filings.count == 12 && filings.allSatisfy(Harness.isFinal)
            }
            let final = try await Harness.allFilings(store)
            store.close()
            #expect(done, "open: \(final.filter { !Harness.isFinal($0) }.map { "\($0.kind.rawValue) \($0.status.rawValue)" }) \(running.stderr)")
            running.kill(SIGTERM)
            await running.waitForExit()
            #expect(final.allSatisfy { $0.status == $0.kind.finalSuccess })

            let status = try await yidan(["status", "YD20261129-0001"], "status")
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("CEB311") && !status.stdout.contains(idNumber))

            let list = try await yidan(["list", "--json", "--limit", "100"], "list")
            #expect(list.status == 0, "\(list.stderr)")
            let page = try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any]
            #expect((page?["filings"] as? [Any])?.count == 12, "\(list.stdout)")

            let audit = try await yidan(["audit", "verify"], "audit")
            #expect(audit.status == 0, "\(audit.stderr)")
            #expect(audit.stdout.contains("audit trail intact"), "\(audit.stdout)")

            // What the database holds: the orders and filings, sealed.
            let clear = try await SchemaConnection.inSchema(schema, url: url, logger: quiet) { connection in
                let rows = try await connection.query(
                    """
                    SELECT (SELECT count(*) FROM orders),
                           (SELECT count(*) FROM orders WHERE position(convert_to(\(idNumber), 'UTF8') IN order_json) > 0),
                           (SELECT count(*) FROM filings WHERE position(convert_to(\(idNumber), 'UTF8') IN payload) > 0)
                    """,
                    logger: quiet
                ).collect()
                return try rows.first?.decode((Int64, Int64, Int64).self)
            }
            #expect(clear?.0 == 2)
            #expect(clear?.1 == 0 && clear?.2 == 0, "buyer ID number stored in the clear: \(String(describing: clear))")
        } catch {
            worker?.kill(SIGKILL)
            await simulator.stop()
            try await PostgresWorkersTests.dropSchema(schema, url: url, logger: quiet)
            throw error
        }
        await simulator.stop()
        try await PostgresWorkersTests.dropSchema(schema, url: url, logger: quiet)
    }
}

enum SchemaConnection {
    /// One plain connection with `search_path` set to the test's schema.
    static func inSchema<T: Sendable>(
        _ schema: String, url: String, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let location = try PostgresLocation(url: url)
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: location.host, port: location.port, username: location.username, password: location.password,
                database: location.database, tls: .disable
            ),
            id: 2, logger: logger
        )
        do {
            try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(schema)"), logger: logger)
            let value = try await body(connection)
            try await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
