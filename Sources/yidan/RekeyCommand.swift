import ArgumentParser
import Foundation
import YidanCore
import YidanStore

struct RekeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Re-seal personal data at rest with the current data key (key rotation).",
        discussion: """
        Personal data (order JSON, signed filing bytes) is sealed with AES-256-GCM under the first key of the key \
        file (`STORE.key` beside an SQLite store, or YIDAN_DATA_KEY_FILE / YIDAN_DATA_KEY). To rotate: put a new \
        key line first (`yidan rekey --new-key-line ID` prints one), keep the old lines below it, run `yidan rekey`, \
        then delete the old lines. Rows written before sealing was on are sealed too. Safe to run again.

        Examples:
          yidan rekey --new-key-line k2
          yidan rekey --store yidan.sqlite
        """
    )

    @Option(name: .long, help: "Only print a new random key line with this id, to put first in the key file.")
    var newKeyLine: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        if let id = newKeyLine {
            print(DataKeyRing.newKeyLine(id: id))
            return
        }
        let store = try await storeOptions.open()
        let changed = try await store.rekey()
        print("re-sealed \(changed) value\(changed == 1 ? "" : "s") with data key '\(store.sealer.keys.current.id)'")
    }
}
