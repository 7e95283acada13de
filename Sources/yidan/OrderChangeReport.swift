import ArgumentParser
import Foundation
import YidanCore
import YidanRouter

/// Text output and exit codes of `cancel` and `return`.
enum OrderChangeReport {
    /// Refusals become a `CLIFailure`: 66 unknown order, 65 anything refused.
    static func run(_ body: () async throws -> OrderChangeReceipt) async throws -> OrderChangeReceipt {
        do {
            return try await body()
        } catch let error as YidanError {
            throw CLIFailure("refused: \(error.description)", exitCode: error.code == .notFound ? 66 : 65)
        } catch let failure as ValidationFailure {
            throw CLIFailure("refused, \(failure.description)", exitCode: 65)
        }
    }

    static func render(_ receipt: OrderChangeReceipt) -> String {
        let verb = receipt.kind == .cancel ? "cancel" : "return"
        var lines = ["\(verb) of \(receipt.orderNo) filed (annual total given back \(Money.format(receipt.allowanceRestored, minScale: 2)) CNY)"]
        for filing in receipt.filings {
            let label = filing.purpose == .reversal ? "\(filing.kind.label) reversal" : filing.kind.label
            lines.append("  \(filing.kind.rawValue) \(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(filing.id)")
        }
        return lines.joined(separator: "\n")
    }
}

/// What `cancel` and `return` both take: the order, the reason, the store and
/// the signing options; `run` files the change and prints what was filed.
struct OrderChangeOptions: ParsableArguments {
    @Argument(help: "The order number given when the order was submitted.")
    var orderNo: String

    @Option(name: .long, help: "Why (sent to customs, 1 to 1000 characters).")
    var reason: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func run(_ change: (YidanEnvironment, String, String) async throws -> OrderChangeReceipt) async throws {
        let environment = try await storeOptions.environment(filing: filingOptions)
        print(OrderChangeReport.render(try await OrderChangeReport.run { try await change(environment, orderNo, reason) }))
    }
}
