import ArgumentParser
import Foundation
import YidanCore
import YidanIngest
import YidanRouter

struct AmendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend",
        abstract: "Amend an accepted order: re-file every filing whose content changed (CEB appType 2) as a new version.",
        discussion: """
        ORDER is the whole amended order, as given to `submit` (normalized JSON, or a platform payload with \
        --profile and --catalog). Its order number, platform, ebpCode, payment transaction, waybill, currency, \
        buyer and order year must stay as first declared. Tax, mapping and the cross-filing check run again; each \
        filing whose content changed is filed as a new version (new guid, appType 2, superseding the previous \
        version), the inventory too whenever the order, payment or waybill changed, and a changed tax or FX filing \
        as a reversal of the old record plus the new one. The buyer's annual total moves by the change in dutiable \
        value. Refused once a cancel or return of the order is on file. `yidan status ORDER_NO` shows the latest \
        versions, `--history` every version and its receipts. An export (CEB303/403/505/603) also keeps its trade \
        mode, statisticsFlag and producer, and is amended until customs is done with it (its CEB701 summary or \
        export tax or FX record on file); a foreign-currency export needs --rates, as on submit.

        Examples:
          yidan amend Fixtures/orders/milk-powder-9610.json
          yidan amend corrected-export.json --rates Fixtures/merchant/rates/example-export-rates-2026-11.csv
          yidan amend amended-order.json --store /var/lib/yidan/yidan.sqlite
        """
    )

    @Argument(help: "The amended order JSON file, or - for standard input.")
    var order: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions
    @OptionGroup var platformOptions: IngestPlatformOptions

    func run() async throws {
        var environment = try await storeOptions.environment(filing: filingOptions)
        environment.exchangeRates = try platformOptions.intakeRates()  // a foreign-currency export needs its rate
        let normalizer = try platformOptions.normalizer(mappingsDirectory: environment.mappingsDirectory)
        var refused = 0
        let normalized = normalizer.normalize(try readDocument())
        for document in normalized {
            do {
                print(AmendReport.render(try await environment.changes.amend(try document.result.get())))
            } catch let failure as ValidationFailure {
                refused += 1
                FileHandle.standardError.write(Data("yidan: \(SubmitCommand.name(document)) amendment refused, \(failure.description)\n".utf8))
            } catch let error as YidanError {
                refused += 1
                FileHandle.standardError.write(Data("yidan: \(SubmitCommand.name(document)) amendment refused: \(error.description)\n".utf8))
                if error.code == .notFound, normalized.count == 1 { throw CLIFailure("nothing filed", exitCode: 66) }
            }
        }
        if refused > 0 {
            throw CLIFailure(normalized.count == 1 ? "nothing filed" : "\(refused) of \(normalized.count) amendments refused", exitCode: 65)
        }
    }

    /// The file parsed with exact numbers; a syntax error names line and column.
    func readDocument() throws -> OrderDocument {
        let bytes: Data
        if order == "-" {
            bytes = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let data = FileManager.default.contents(atPath: order) else {
                throw CLIFailure("cannot read \(order)", exitCode: 66)
            }
            bytes = data
        }
        do {
            return OrderDocument(location: order, content: .json([try NormalizedOrderJSON.parser.parse(Array(bytes))]))
        } catch {
            throw CLIFailure("\(order == "-" ? "standard input" : order) is not valid JSON: \(error.description)", exitCode: 65)
        }
    }
}

/// Text output of `amend`.
enum AmendReport {
    static func render(_ receipt: OrderAmendmentReceipt) -> String {
        guard !receipt.filings.isEmpty else {
            return "nothing to amend for \(receipt.orderNo): every filing is the same as its latest version"
        }
        var lines = [
            "amendment of \(receipt.orderNo) filed (tax withheld \(Money.format(receipt.taxTotal, minScale: 2)) CNY, "
                + "annual total \(receipt.allowanceChange >= 0 ? "+" : "")\(Money.format(receipt.allowanceChange, minScale: 2)) CNY)",
        ]
        for filing in receipt.filings {
            let label = filing.purpose == .reversal ? "\(filing.kind.label) reversal" : filing.kind.label
            let replaces = filing.supersedes.map { (filing.purpose == .reversal ? " reverses " : " supersedes ") + $0 } ?? ""
            lines.append("  \(filing.kind.rawValue) \(label.padding(toLength: 12, withPad: " ", startingAt: 0)) \(filing.id)\(replaces)")
        }
        if !receipt.unchanged.isEmpty {
            lines.append("  unchanged, not re-filed: " + receipt.unchanged.map(\.rawValue).joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
