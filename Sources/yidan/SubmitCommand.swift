import ArgumentParser
import Foundation
import YidanCore
import YidanIngest
import YidanRouter

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "File an order: validate, compute tax, map, sign and store its filings durably.",
        discussion: """
        ORDER is the project's normalized order JSON (Mappings/schemas/normalized-order.schema.json) \
        or a platform's payload (Shopify, WooCommerce, Amazon SP-API, Magento, BigCommerce, Shopee, \
        Lazada, TikTok Shop), detected from its shape; platform payloads are joined with the \
        merchant's --profile and --catalog. Several files are one order's separate API responses \
        (e.g. Amazon getOrder + getOrderItems); a payload that lists orders files each of them. \
        - reads standard input.

        Once this prints "accepted", the order and its four filings are on disk; `yidan run` (or \
        `yidan demo`) delivers them. Submitting the same order number again files nothing twice.

        Examples:
          yidan submit Fixtures/orders/milk-powder-9610.json
          yidan submit shopify-order.json --profile profile.yaml --catalog catalog.csv --rates eurofxref-daily.xml
          yidan submit getOrder.json getOrderItems.json --platform amazon --profile profile.yaml --catalog catalog.csv
        """
    )

    @Argument(help: "The order JSON file(s), or - for standard input.")
    var orders: [String]

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var filingOptions: FilingOptions
    @OptionGroup var platformOptions: IngestPlatformOptions

    func validate() throws {
        guard !orders.isEmpty else { throw ValidationError("give the order file (or - for standard input)") }
    }

    func run() async throws {
        var environment = try await storeOptions.environment(filing: filingOptions)
        environment.exchangeRates = try platformOptions.intakeRates()  // a foreign-currency export needs its rate
        let normalizer = try platformOptions.normalizer(mappingsDirectory: environment.mappingsDirectory)
        let document = try readDocuments()
        if !platformOptions.readsPlatformPayloads, case let .json(values) = document.content, let first = values.first,
           let platform = try? PlatformRegistry(directory: environment.mappingsDirectory.appendingPathComponent("platforms")).detect(first)
        {
            throw CLIFailure(
                "\(orders.joined(separator: " ")) is a \(platform) payload: platform orders lack customs data, so give the merchant's --profile and --catalog (README: \"Bring your platform's orders\")",
                exitCode: 64
            )
        }
        let normalized = normalizer.normalize(document)
        var refused = 0
        for document in normalized {
            do {
                let order = try document.result.get()
                print(SubmitReport.render(try await environment.intake.submit(order)))
            } catch let failure as ValidationFailure {
                refused += 1
                FileHandle.standardError.write(Data("yidan: \(Self.name(document)) refused, \(failure.description)\n".utf8))
            } catch let error as YidanError {
                refused += 1
                FileHandle.standardError.write(Data("yidan: \(Self.name(document)) refused: \(error.description)\n".utf8))
            }
        }
        if refused > 0 {
            throw CLIFailure(normalized.count == 1 ? "nothing filed" : "\(refused) of \(normalized.count) orders refused", exitCode: 65)
        }
    }

    static func name(_ document: NormalizedDocument) -> String {
        document.orderNo.map { "order \($0)" } ?? "order at \(document.location)"
    }

    /// Every file parsed with exact numbers; a syntax error names file, line and column.
    func readDocuments() throws -> OrderDocument {
        var values: [JSONValue] = []
        for path in orders {
            let bytes: Data
            if path == "-" {
                bytes = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIFailure("cannot read \(path)", exitCode: 66)
                }
                bytes = data
            }
            do {
                values.append(try NormalizedOrderJSON.parser.parse(Array(bytes)))
            } catch {
                throw CLIFailure("\(path == "-" ? "standard input" : path) is not valid JSON: \(error.description)", exitCode: 65)
            }
        }
        return OrderDocument(location: orders.joined(separator: "+"), content: .json(values))
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
            lines.append("  " + "\(filing.kind.rawValue) \(filing.kind.label)".padding(toLength: 27, withPad: " ", startingAt: 0) + filing.id)
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
