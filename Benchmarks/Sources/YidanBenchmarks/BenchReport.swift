import Foundation
import YidanChildProcess

/// One measured figure: a name, a value and its unit, with what it was measured over.
struct Figure: Sendable {
    var name: String
    var value: Double
    var unit: String
    var detail: String

    /// `map.throughput          3812.4 orders/s   20000 orders, 1 core`
    var line: String {
        let padded = name.padding(toLength: max(name.count, 28), withPad: " ", startingAt: 0)
        let number = String(format: value >= 100 ? "%.0f" : "%.2f", value)
        return "\(padded) \(number.leftPadded(to: 10)) \(unit.padding(toLength: max(unit.count, 10), withPad: " ", startingAt: 0))  \(detail)"
    }

    var json: [String: Any] { ["name": name, "value": value, "unit": unit, "detail": detail] }
}

/// What the figures were measured on: they only compare on the same machine and commit.
struct MachineFacts: Sendable {
    var cores: Int
    var cpuModel: String
    var commit: String
    var build: String
    var date: String

    static func current() -> MachineFacts {
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return MachineFacts(
            cores: ProcessInfo.processInfo.activeProcessorCount,
            cpuModel: cpuModel(),
            commit: commit(),
            build: build,
            date: ISO8601DateFormatter().string(from: Date())
        )
    }

    var line: String { "machine: \(cores) cores, \(cpuModel); commit \(commit); \(build) build; \(date)" }

    var json: [String: Any] { ["cores": cores, "cpuModel": cpuModel, "commit": commit, "build": build, "date": date] }

    /// The first `model name` of /proc/cpuinfo (Linux); "unknown" elsewhere.
    private static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// `git rev-parse --short HEAD` in the package, plus "+dirty" when the tree has changes.
    private static func commit() -> String {
        let head = run(["git", "-C", BenchPaths.packageRoot.path, "rev-parse", "--short", "HEAD"]) ?? "unknown"
        let status = run(["git", "-C", BenchPaths.packageRoot.path, "status", "--porcelain", "--untracked-files=no"]) ?? ""
        return status.isEmpty ? head : head + "+dirty"
    }

    private static func run(_ arguments: [String]) -> String? {
        guard let process = try? ChildProcess.run("/usr/bin/env", arguments), process.status == 0 else { return nil }
        return process.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Collects figures, prints each as it is measured, and writes them all as JSON.
final class BenchReport {
    let machine: MachineFacts
    let command: String
    private(set) var figures: [Figure] = []

    init(machine: MachineFacts, command: String) {
        self.machine = machine
        self.command = command
    }

    func add(_ figure: Figure) {
        figures.append(figure)
        print(figure.line)
        fflush(nil)  // one line as each figure is measured, also when piped
    }

    func add(_ name: String, _ value: Double, _ unit: String, _ detail: String) {
        add(Figure(name: name, value: value, unit: unit, detail: detail))
    }

    func writeJSON(to path: String) throws {
        let object: [String: Any] = ["machine": machine.json, "command": command, "figures": figures.map(\.json)]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Latency percentiles of a sample, in milliseconds.
struct Latencies {
    private var sorted: [Double]

    init(_ seconds: [Double]) {
        sorted = seconds.sorted()
    }

    /// The `p`-th percentile (0…100) in ms, nearest-rank.
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)] * 1000
    }
}

/// Wall-clock seconds from a monotonic clock.
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// CPU seconds this process has used (user + system, all threads): with the
/// simulator in the same process, a whole delivery's cost, steadier than a
/// rate on a machine whose speed drifts.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
