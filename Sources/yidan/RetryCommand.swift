import ArgumentParser
import Foundation
import YidanCore
import YidanStore

struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send dead filings (or ones refused before customs saw them) back to the outbox, unchanged.",
        discussion: """
        A filing may be retried when its delivery gave up (dead) or when the e-port could not forward it to customs \
        (rejected with returnStatus 4). It becomes queued and due at once; its attempts and last error stay for the \
        record. A running `yidan run` picks it up at its next poll. A refusal of the content (e.g. 100, a negative \
        code) is not retried: the same bytes would be refused again; fix the cause and use `yidan resubmit ORDER`.

        Examples:
          yidan retry 3F2C8A4E-0B6D-4C1A-9E7F-2A5B8C9D0E1F
          yidan retry --all-dead
        """
    )

    @Argument(help: "Filing ids (guids) to retry.")
    var filings: [String] = []

    @Flag(name: .long, help: "Retry every dead filing.")
    var allDead = false

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        guard allDead != !filings.isEmpty else {
            throw ValidationError("give filing ids or --all-dead (not both)")
        }
    }

    func run() async throws {
        let store = try await storeOptions.open()
        let now = Date()
        if allDead {
            let retried = try await store.retryAllDead(at: now)
            for filing in retried { print(Self.line(filing)) }
            print(retried.isEmpty ? "no dead filings" : "\(retried.count) dead filing\(retried.count == 1 ? "" : "s") queued again")
            return
        }
        var refused: [YidanError] = []
        for id in filings {
            do {
                print(Self.line(try await store.retry(filingID: id.uppercased(), at: now)))
            } catch let error as YidanError where error.code == .notEligible || error.code == .notFound {
                FileHandle.standardError.write(Data("yidan: \(error.message)\n".utf8))
                refused.append(error)
            }
        }
        if !refused.isEmpty {
            let missing = refused.allSatisfy { $0.code == .notFound }
            throw CLIFailure("\(refused.count) of \(filings.count) not retried", exitCode: missing ? 66 : 65)
        }
    }

    static func line(_ filing: FilingRecord) -> String {
        "\(filing.id)  \(filing.orderNo)  \(filing.kind.rawValue)  queued again (attempts so far \(filing.attempts))"
    }
}
