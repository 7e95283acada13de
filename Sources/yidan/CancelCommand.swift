import ArgumentParser
import Foundation
import YidanCore
import YidanRouter

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel an accepted import order: file CEB623 (撤销申请单) and reverse its tax and FX filings.",
        discussion: """
        Customs must have numbered the inventory (a CEB622 receipt with invtNo, i.e. entered at 120 or later): \
        CEB623 names it. The cancel and the tax and FX reversals are stored in one transaction and the buyer's \
        annual total is given back; `yidan run` (or `yidan demo`) delivers them and `yidan status ORDER_NO` shows \
        "cancelled" once customs approves (CEB624 399).

        Examples:
          yidan cancel ORDER-20250615-001 --reason "buyer withdrew the order"
          yidan cancel ORDER-20250615-001 --reason "duplicate order" --store /var/lib/yidan/yidan.sqlite
        """
    )

    @Argument(help: "The order number given when the order was submitted.")
    var orderNo: String

    @Option(name: .long, help: "Why (sent to customs, 1 to 1000 characters).")
    var reason: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions

    func run() async throws {
        let environment = try YidanEnvironment(
            storePath: storeOptions.store, mappingsPath: filingOptions.mappings, signing: try filingOptions.signing()
        )
        print(OrderChangeReport.render(try await OrderChangeReport.run { try await environment.changes.cancel(orderNo: orderNo, reason: reason) }))
    }
}
