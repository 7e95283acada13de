import Foundation
import Testing
import YidanChildProcess

/// Paths and helpers shared by the YidanXML tests.
enum XMLTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let importSamples = packageRoot
        .appendingPathComponent("../shared/reference/ceb/202205/samples/import", isDirectory: true)
        .standardizedFileURL

    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"

    static func importSample(_ name: String) throws -> Data {
        try Data(contentsOf: importSamples.appendingPathComponent(name))
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-xml-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command-line tool and returns its standard output; nil when the
    /// tool is not installed at any of `candidates`.
    static func run(_ candidates: [String], _ arguments: [String]) throws -> (status: Int32, output: Data, error: Data)? {
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        let process = try ChildProcess.run(tool, arguments)
        return (process.status, process.stdoutData, process.stderrData)
    }
}
