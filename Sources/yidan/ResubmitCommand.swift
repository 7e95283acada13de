import ArgumentParser
import Foundation
import YidanCore
import YidanRouter

struct ResubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubmit",
        abstract: "Re-file a refused import order's refused filings as new versions (new guids), built again from the stored order.",
        discussion: """
        Every latest filing an authority refused (status rejected) is mapped and signed again from the stored \
        order with today's mappings, tables and key, and filed as a new version: new guid, superseding the refused \
        one, which stays in the history with its receipts. The inventory (CEB621) goes again with its order, \
        payment or waybill unless already released. A customs message says appType 1 when customs never took a \
        version of it, 2 otherwise; a refused tax or FX record is replaced by a new record (nothing to reverse). \
        The order and the buyer's annual total do not change: to change the order, use `yidan amend`. A filing \
        that was never delivered (dead) needs `yidan retry`, not a new version. Refused for exports and for \
        orders with a cancel or return on file.

        Examples:
          yidan resubmit YD20261111000001
          yidan resubmit YD20261111000001 --key new-key.pem --cert new-cert.pem
        """
    )

    @Argument(help: "The order number.")
    var orderNo: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func run() async throws {
        let environment = try await storeOptions.environment(filing: filingOptions)
        let receipt: OrderResubmissionReceipt
        do {
            receipt = try await environment.changes.resubmit(orderNo: orderNo)
        } catch let error as YidanError where error.code == .notFound {
            throw CLIFailure(error.message, exitCode: 66)
        } catch let error as YidanError where error.code == .notEligible {
            throw CLIFailure(error.message, exitCode: 65)
        }
        print("resubmitted \(receipt.orderNo): \(receipt.filings.count) new version\(receipt.filings.count == 1 ? "" : "s")")
        for filing in receipt.filings {
            print("  \(filing.kind.rawValue) \(filing.kind.label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(filing.id) supersedes \(filing.supersedes)")
        }
    }
}
