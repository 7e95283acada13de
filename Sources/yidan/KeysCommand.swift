import ArgumentParser
import Foundation
import YidanServer
import YidanStore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the API keys of `yidan serve`: add, list, revoke.",
        discussion: """
        Only a SHA-256 hash of each key is stored; `keys add` prints the key once. Roles: \
        merchant (its own orders: --subject is its ebcCode), broker (the merchants it is \
        appointed for: --merchants), admin (everything).

        Examples:
          yidan keys add --role merchant --subject 3301960001
          yidan keys add --role broker --subject 3301980002 --merchants 3301960001,3301960002
          yidan keys list
          yidan keys revoke 3
        """,
        subcommands: [AddKey.self, ListKeys.self, RevokeKey.self]
    )

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a key and print it once.")

        @Option(name: .long, help: "merchant, broker or admin.")
        var role: String

        @Option(name: .long, help: "The merchant's or broker's code (a name for admins).")
        var subject: String

        @Option(name: .long, help: "Comma-separated merchant codes a broker is appointed for.")
        var merchants: String?

        @Option(name: .long, help: "A note to recognise the key by in `keys list`.")
        var label: String?

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard let role = APIRole(rawValue: role) else { throw ValidationError("--role must be merchant, broker or admin") }
            guard !subject.isEmpty else { throw ValidationError("--subject must not be empty") }
            if role == .broker, merchantCodes.isEmpty { throw ValidationError("a broker key needs --merchants it is appointed for") }
            if role != .broker, merchants != nil { throw ValidationError("--merchants is for broker keys only") }
        }

        var merchantCodes: Set<String> {
            Set((merchants ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }

        func run() async throws {
            guard let role = APIRole(rawValue: role) else { throw ValidationError("--role must be merchant, broker or admin") }
            let store = try await storeOptions.open()
            let key = APIKey.generate()
            let record = try await store.addAPIKey(hash: APIKey.hash(key), role: role, subject: subject, merchants: merchantCodes, label: label, at: Date())
            print(key)
            FileHandle.standardError.write(Data("yidan: key \(record.id) (\(role.rawValue) \(subject)) stored; the key is shown only now\n".utf8))
        }
    }

    struct ListKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List keys (never the keys themselves).")

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try await storeOptions.open()
            var rows = [["ID", "ROLE", "SUBJECT", "MERCHANTS", "CREATED", "REVOKED", "LABEL"]]
            for key in try await store.apiKeys() {
                rows.append([
                    String(key.id), key.role.rawValue, key.subject, key.merchants.sorted().joined(separator: ","),
                    key.createdAt.formatted(.iso8601), key.revokedAt.map { $0.formatted(.iso8601) } ?? "-", key.label ?? "",
                ])
            }
            print(FilingTable.align(rows))
        }
    }

    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key by its id (from `keys list`).")

        @Argument(help: "The key's id.")
        var id: Int64

        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let store = try await storeOptions.open()
            guard try await store.revokeAPIKey(id: id, at: Date()) else {
                throw CLIFailure("no active key \(id)", exitCode: 66)
            }
            print("revoked key \(id)")
        }
    }
}
