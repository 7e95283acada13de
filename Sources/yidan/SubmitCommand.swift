import ArgumentParser
import Foundation
import YidanCore
import YidanRouter

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "File one order: validate, compute tax, map, sign and store its filings durably.",
        discussion: """
        ORDER is the project's normalized order JSON (Mappings/schemas/normalized-order.schema.json), \
        or - for standard input. Once this prints "accepted", the order and its four filings are on \
        disk; `yidan run` (or `yidan demo`) delivers them. Submitting the same order number again \
        files nothing twice and prints the filings already stored.

        Examples:
          yidan submit Fixtures/orders/milk-powder-9610.json
          cat order.json | yidan submit - --store /var/lib/yidan/yidan.sqlite
        """
    )

    @Argument(help: "The order JSON file, or - for standard input.")
    var order: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func run() async throws {
        let bytes: Data
        if order == "-" {
            bytes = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: order) else {
                throw CLIFailure("cannot read \(order)")
            }
            bytes = data
        }
        let environment = try YidanEnvironment(
            storePath: storeOptions.store, mappingsPath: filingOptions.mappings, signing: try filingOptions.signing()
        )
        do {
            let receipt = try await environment.intake.submit(json: bytes)
            print(SubmitReport.render(receipt))
        } catch let failure as ValidationFailure {
            throw CLIFailure("order refused, \(failure.description)", exitCode: 65)
        } catch let error as YidanError {
            throw CLIFailure("order refused: \(error.description)", exitCode: error.code == .notEligible ? 65 : 1)
        }
    }
}

/// Text output of `submit`.
enum SubmitReport {
    static func render(_ receipt: SubmitReceipt) -> String {
        var lines = [
            receipt.isNew
                ? "accepted \(receipt.orderNo) (tax withheld \(Money.format(receipt.taxTotal, minScale: 2)) CNY)"
                : "already accepted \(receipt.orderNo); nothing filed twice",
        ]
        for filing in receipt.filings {
            lines.append("  \(filing.kind.rawValue) \(filing.kind.label.padding(toLength: 9, withPad: " ", startingAt: 0)) \(filing.id)")
        }
        return lines.joined(separator: "\n")
    }
}

/// A command-line failure: message on stderr, a chosen exit code.
struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32
    init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }
    var description: String { message }
}
