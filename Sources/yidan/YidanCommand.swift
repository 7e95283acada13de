import ArgumentParser
import Foundation

@main
struct YidanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yidan",
        abstract: "One declaration, multiple filings: file one order to customs and follow it to release.",
        discussion: """
        yidan normalizes a merchant's order, maps it to the China customs CEB filings \
        (order 311, payment 411, waybill 511, inventory 621), signs them, posts them \
        through the data-exchange gateway with retries and follows every receipt.

        Start with `yidan demo`, which runs everything on this machine against the \
        built-in authority simulator.
        """,
        subcommands: [
            DemoCommand.self,
            SubmitCommand.self,
            AmendCommand.self,
            CancelCommand.self,
            ReturnCommand.self,
            IngestCommand.self,
            StatusCommand.self,
            ListCommand.self,
            WatchCommand.self,
            RetryCommand.self,
            ResubmitCommand.self,
            ReceiptsCommand.self,
            RunCommand.self,
            WorkerCommand.self,
            SimCommand.self,
            ServeCommand.self,
            KeysCommand.self,
            TraceCommand.self,
            EventCommand.self,
            AuditCommand.self,
            PruneCommand.self,
            RekeyCommand.self,
        ]
    )

    /// Runs the command; a `CLIFailure` prints its message alone on stderr and
    /// exits with its code (65 refused input, 66 not found), other errors as usual.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data(("yidan: " + failure.message + "\n").utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
