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

    @OptionGroup var change: OrderChangeOptions

    func run() async throws {
        try await change.run { environment, orderNo, reason in
            try await environment.changes.cancel(orderNo: orderNo, reason: reason)
        }
    }
}
