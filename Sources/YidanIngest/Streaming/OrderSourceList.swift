public import Foundation
import YidanCore

/// The inputs of one ingest run, read one after another in the order given:
/// files by extension (`.jsonl`/`.ndjson` JSON Lines, `.json`, `.csv`),
/// folders as their `.json`/`.jsonl`/`.ndjson`/`.csv` files sorted by name
/// (sub-folders and hidden files are not read), and `-` as JSON Lines on
/// standard input. Paths are checked up front, so a typo fails before any
/// order is touched; files are opened only when reached.
public final class OrderSourceList: OrderDocumentSource {
    public enum Format: String, Sendable {
        case jsonLines = "JSON Lines"
        case json = "JSON"
        case csv = "CSV"

        init?(fileExtension: String) {
            switch fileExtension.lowercased() {
            case "jsonl", "ndjson": self = .jsonLines
            case "json": self = .json
            case "csv": self = .csv
            default: return nil
            }
        }
    }

    public enum Input: Sendable, Equatable {
        case file(URL, displayName: String, format: Format)
        case standardInput
    }

    public let inputs: [Input]
    private let standardInput: FileHandle
    private var remaining: ArraySlice<Input>
    private var current: (any OrderDocumentSource)?

    /// Throws `YidanError` `.notFound` for a path that does not exist or is
    /// not a file type yidan reads, `.unreadableInput` for a folder it cannot list.
    public init(paths: [String], standardInput: FileHandle = .standardInput) throws {
        var inputs: [Input] = []
        for path in paths {
            if path == "-" {
                guard !inputs.contains(.standardInput) else {
                    throw YidanError(.unreadableInput, "- (standard input) is given more than once")
                }
                inputs.append(.standardInput)
                continue
            }
            inputs += try Self.expand(path)
        }
        self.inputs = inputs
        self.remaining = inputs[...]
        self.standardInput = standardInput
    }

    static func expand(_ path: String) throws -> [Input] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw YidanError(.notFound, "\(path): no such file or folder")
        }
        let url = URL(fileURLWithPath: path)
        guard isFolder.boolValue else {
            guard let format = Format(fileExtension: url.pathExtension) else {
                throw YidanError(.notFound, "\(path): not an order file; yidan reads .jsonl (JSON Lines), .json and .csv")
            }
            return [.file(url, displayName: path, format: format)]
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw YidanError(.unreadableInput, "\(path): cannot list the folder", cause: error)
        }
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return names.sorted().compactMap { name -> Input? in
            guard !name.hasPrefix("."), let format = Format(fileExtension: (name as NSString).pathExtension) else { return nil }
            let child = url.appendingPathComponent(name)
            var childIsFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsFolder), !childIsFolder.boolValue else { return nil }
            return .file(child, displayName: prefix + name, format: format)
        }
    }

    public func next() throws -> OrderDocument? {
        while true {
            if let source = current {
                if let document = try source.next() { return document }
                current = nil
            }
            guard let input = remaining.popFirst() else { return nil }
            current = try open(input)
        }
    }

    private func open(_ input: Input) throws -> any OrderDocumentSource {
        switch input {
        case .standardInput:
            return JSONLinesSource(handle: standardInput, displayName: "stdin")
        case let .file(url, displayName, .jsonLines):
            return try JSONLinesSource(url: url, displayName: displayName)
        case let .file(url, displayName, .json):
            return JSONFileSource(url: url, displayName: displayName)
        case let .file(url, displayName, .csv):
            return try CSVOrderSource(url: url, displayName: displayName)
        }
    }
}
