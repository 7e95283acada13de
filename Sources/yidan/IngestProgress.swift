import Foundation
import YidanRouter
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress of `yidan ingest` on stderr: on a terminal one line redrawn in
/// place (at most ten times a second); otherwise a plain line every `every`
/// orders or every `interval`, whichever comes first, for logs and CI.
final class IngestProgress {
    enum Style: String, CaseIterable {
        case auto, bar, lines, none
    }

    private let style: Style
    private let every: Int
    private let interval: Duration
    private let verb: String
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now
    private var lastLineCount = 0
    private var counts = BatchCounts()
    private var lastLocation = ""

    init(style: Style, every: Int, interval: Duration = .seconds(10), dryRun: Bool) {
        if style == .auto {
            self.style = isatty(STDERR_FILENO) == 1 ? .bar : .lines
        } else {
            self.style = style
        }
        self.every = max(1, every)
        self.interval = interval
        self.verb = dryRun ? "passed" : "accepted"
    }

    var elapsed: Duration { ContinuousClock.now - started }

    func record(_ outcome: BatchOutcome) {
        counts.add(outcome)
        lastLocation = outcome.location
        let now = ContinuousClock.now
        switch style {
        case .bar:
            if now - lastDraw >= .milliseconds(100) {
                lastDraw = now
                write("\r\u{1B}[2K" + barLine())
            }
        case .lines:
            if counts.orders - lastLineCount >= every || now - lastDraw >= interval {
                lastDraw = now
                lastLineCount = counts.orders
                write(plainLine() + "\n")
            }
        case .none, .auto:
            break
        }
    }

    /// The final state: the bar redrawn once more and ended, or a last line.
    func finish() {
        switch style {
        case .bar: write("\r\u{1B}[2K" + barLine() + "\n")
        case .lines: write(plainLine() + " (done)\n")
        case .none, .auto: break
        }
    }

    private func rate() -> String {
        let seconds = Self.seconds(elapsed)
        guard seconds > 0 else { return "-" }
        let perSecond = Double(counts.orders) / seconds
        return perSecond >= 100 ? String(Int(perSecond.rounded())) : String(format: "%.1f", perSecond)
    }

    /// `⟳ 12345 orders  812/s  accepted 12000  refused 345  0:15  orders.jsonl:12400`
    private func barLine() -> String {
        let passed = counts.accepted + counts.checked
        var text = "ingest \(counts.orders) orders  \(rate())/s  \(verb) \(passed)"
        if counts.alreadyAccepted > 0 { text += "  already \(counts.alreadyAccepted)" }
        text += "  refused \(counts.refused)  \(Self.clock(elapsed))"
        let room = Self.terminalWidth() - text.count - 2
        if room > 8 {
            let location = lastLocation.count > room ? "…" + lastLocation.suffix(room - 1) : lastLocation
            text += "  " + location
        }
        return text
    }

    /// `ingest: 12000 orders, 812/s, accepted 11000, already accepted 3, refused 997, 15 s, memory 24 MB`
    private func plainLine() -> String {
        var parts = ["ingest: \(counts.orders) orders", "\(rate())/s", "\(verb) \(counts.accepted + counts.checked)"]
        if counts.alreadyAccepted > 0 { parts.append("already accepted \(counts.alreadyAccepted)") }
        parts.append("refused \(counts.refused)")
        parts.append("\(Int(Self.seconds(elapsed))) s")
        if let resident = ProcessMemory.residentBytes() { parts.append("memory \(resident >> 20) MB") }
        return parts.joined(separator: ", ")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func clock(_ duration: Duration) -> String {
        let total = Int(seconds(duration))
        let seconds = total % 60
        return "\(total / 60):" + (seconds < 10 ? "0" : "") + String(seconds)
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

enum ProcessMemory {
    /// The resident set size from `/proc/self/status` (`VmRSS`, in kB); nil where there is no /proc.
    static func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.dropFirst("VmRSS:".count).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }
}
