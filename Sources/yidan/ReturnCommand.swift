import ArgumentParser
import Foundation
import YidanCore
import YidanRouter

struct ReturnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return",
        abstract: "Return a released import order: file CEB625 (退货申请单) and reverse its tax and FX filings.",
        discussion: """
        Allowed within the return window: 30 days after release (the CEB622 800 receipt). Every line of the \
        inventory is returned; the tax is not collected (tax reversal), the payment is refunded (FX reversal) and \
        the buyer's annual total is given back. `yidan status ORDER_NO` shows "returned" once customs approves \
        (CEB626 399).

        Examples:
          yidan return ORDER-20250615-001 --reason "damaged in transit"
          yidan return ORDER-20250615-001 --reason "wrong size" --store /var/lib/yidan/yidan.sqlite
        """
    )

    @OptionGroup var change: OrderChangeOptions

    func run() async throws {
        try await change.run { environment, orderNo, reason in
            try await environment.changes.returnGoods(orderNo: orderNo, reason: reason)
        }
    }
}
