public import Foundation
import YidanCore

/// JSON Lines (`.jsonl`, or standard input): one order document per line.
/// Blank lines are skipped; a line that is not JSON becomes an `.unreadable`
/// document naming its line and column, and reading goes on with the next.
public final class JSONLinesSource: OrderDocumentSource {
    private let reader: LineReader
    private let displayName: String
    private let closeWhenDone: FileHandle?

    /// - Parameters:
    ///   - handle: read in chunks from its current position.
    ///   - displayName: how locations name this input (`orders.jsonl`, `stdin`).
    ///   - closing: whether this source owns the handle and closes it at the end.
    ///   - maxLineBytes: longer lines are refused (and skipped) without being kept.
    public init(handle: FileHandle, displayName: String, closing: Bool = false, maxLineBytes: Int = NormalizedOrderJSON.parser.maxBytes) {
        self.reader = LineReader(handle: handle, name: displayName, maxLineBytes: maxLineBytes)
        self.displayName = displayName
        self.closeWhenDone = closing ? handle : nil
    }

    public convenience init(url: URL, displayName: String) throws {
        self.init(handle: try OrderFiles.open(url, displayName: displayName), displayName: displayName, closing: true)
    }

    public func next() throws -> OrderDocument? {
        while let line = try reader.nextLine() {
            let location = "\(displayName):\(reader.lineNumber)"
            switch line {
            case let .tooLong(bytes):
                return OrderDocument(location: location, content: .unreadable([FieldIssue(
                    pointer: "", value: nil,
                    rule: "line is \(bytes) bytes, more than the limit of \(reader.maxLineBytes) for one order"
                )]))
            case let .text(bytes):
                if Whitespace.isBlank(bytes) { continue }
                // Parsed later (`OrderDocument.parsed()`), possibly on another core.
                return OrderDocument(location: location, content: .jsonText(bytes))
            }
        }
        try? closeWhenDone?.close()
        return nil
    }
}

/// A `.json` file: one order document, or (for the normalized order JSON) a
/// JSON array of them. Read whole, so it is limited to `maxBytes`; many
/// orders belong in JSON Lines or CSV, which stream.
public final class JSONFileSource: OrderDocumentSource {
    public static let maxBytes = 16 << 20
    private let url: URL
    private let displayName: String
    private var done = false

    public init(url: URL, displayName: String) {
        self.url = url
        self.displayName = displayName
    }

    public func next() throws -> OrderDocument? {
        guard !done else { return nil }
        done = true
        let handle = try OrderFiles.open(url, displayName: displayName)
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maxBytes + 1) ?? Data()
        } catch {
            throw YidanError(.unreadableInput, "cannot read \(displayName)", cause: error)
        }
        guard data.count <= Self.maxBytes else {
            return OrderDocument(location: displayName, content: .unreadable([FieldIssue(
                pointer: "", value: nil,
                rule: "file is larger than \(Self.maxBytes >> 20) MiB; put many orders in JSON Lines (.jsonl) or CSV, which stream"
            )]))
        }
        do {
            let value = try JSONParser(maxDepth: 64, maxBytes: Self.maxBytes).parse(data)
            return OrderDocument(location: displayName, content: .json([value]))
        } catch {
            return OrderDocument(location: displayName, content: .unreadable([FieldIssue(
                pointer: "", value: nil, rule: "is not valid JSON: \(error)"
            )]))
        }
    }
}

enum OrderFiles {
    static func open(_ url: URL, displayName: String) throws -> FileHandle {
        do {
            return try FileHandle(forReadingFrom: url)
        } catch {
            throw YidanError(.unreadableInput, "cannot open \(displayName)", cause: error)
        }
    }
}
