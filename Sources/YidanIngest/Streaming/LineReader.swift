import Foundation
import YidanCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file or a stream in fixed-size chunks and hands out its lines, so
/// a JSON Lines file of any size costs one chunk plus the longest line held
/// in memory, never the whole file.
///
/// A line longer than `maxLineBytes` is not kept: its bytes are skipped up to
/// the next newline and it is reported as `.tooLong`, so one runaway line
/// neither exhausts memory nor stops the lines after it.
final class LineReader {
    enum Line {
        case text([UInt8])
        case tooLong(bytes: Int)
    }

    private let handle: FileHandle
    private let name: String
    private let chunkSize: Int
    let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The number of the line `nextLine` returned last, from 1.
    private(set) var lineNumber = 0

    init(handle: FileHandle, name: String, chunkSize: Int = 64 * 1024, maxLineBytes: Int = 1 << 20) {
        self.handle = handle
        self.name = name
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
    }

    func nextLine() throws -> Line? {
        var skipped = 0  // bytes of an over-long line already thrown away
        while true {
            if let newline = findNewline() {
                lineNumber += 1
                let length = newline - start
                defer { start = newline + 1 }
                if skipped > 0 || length > maxLineBytes { return .tooLong(bytes: skipped + length) }
                return .text(line(from: start, to: newline))
            }
            if atEnd {
                guard start < buffer.count || skipped > 0 else { return nil }
                lineNumber += 1
                let length = buffer.count - start
                defer { start = buffer.count }
                if skipped > 0 || length > maxLineBytes { return .tooLong(bytes: skipped + length) }
                return .text(line(from: start, to: buffer.count))
            }
            if buffer.count - start > maxLineBytes {
                skipped += buffer.count - start
                start = buffer.count
            }
            try refill()
        }
    }

    /// The bytes of a line without its line end (`\n` or `\r\n`) and without a
    /// UTF-8 byte order mark on the first line (spreadsheet tools add one).
    private func line(from lower: Int, to upper: Int) -> [UInt8] {
        var lower = lower
        var upper = upper
        if upper > lower, buffer[upper - 1] == 0x0D { upper -= 1 }
        if lineNumber == 1, upper - lower >= 3, buffer[lower] == 0xEF, buffer[lower + 1] == 0xBB, buffer[lower + 2] == 0xBF {
            lower += 3
        }
        return Array(buffer[lower..<upper])
    }

    private func findNewline() -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard let base = bytes.baseAddress,
                  let hit = memchr(base + start, 0x0A, bytes.count - start)
            else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    private func refill() throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let chunk: Data?
        do {
            chunk = try handle.read(upToCount: chunkSize)
        } catch {
            throw YidanError(.unreadableInput, "cannot read \(name) after line \(lineNumber)", cause: error)
        }
        guard let chunk, !chunk.isEmpty else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: chunk)
    }
}

enum Whitespace {
    /// True for a line holding nothing but spaces and tabs (after its line end was removed).
    static func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
