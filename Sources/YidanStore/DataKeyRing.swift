public import Foundation
import Crypto
import YidanCore

/// The keys that encrypt personal data at rest (AES-256-GCM).
///
/// Keys never live in the database: they come from `YIDAN_DATA_KEY`
/// (one key, `ID:BASE64`), from a key file (`YIDAN_DATA_KEY_FILE` or an
/// explicit path), or — for the embedded default only — from a key file
/// created beside the SQLite store on first use with mode 0600.
///
/// Key file format: one key per line, `ID:BASE64` (32 random bytes), `#`
/// starts a comment. The first key seals new data; every key listed can open
/// data sealed earlier, which is how rotation works: put the new key first,
/// keep the old ones below, run `yidan rekey`, then drop the old lines.
public struct DataKeyRing: Sendable {
    public struct Key: Sendable {
        /// Short printable name stored in each sealed value's header.
        public let id: String
        let material: SymmetricKey
    }

    /// Seals new data.
    public let current: Key
    /// Every key that can open data, current included.
    let keys: [String: Key]

    public var keyIDs: [String] { keys.keys.sorted() }

    public init(lines text: String, source: String) throws {
        var ordered: [Key] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            ordered.append(try Self.parseKey(line, where: "\(source) line \(number + 1)"))
        }
        guard let first = ordered.first else {
            throw YidanError(.configuration, "\(source) holds no data key (expected lines of ID:BASE64)")
        }
        var keys: [String: Key] = [:]
        for key in ordered {
            guard keys[key.id] == nil else {
                throw YidanError(.configuration, "\(source) lists data key '\(key.id)' twice")
            }
            keys[key.id] = key
        }
        self.current = first
        self.keys = keys
    }

    func key(id: String) -> Key? { keys[id] }

    /// A new random key in the file format, e.g. `k20261129:…`.
    public static func newKeyLine(id: String) -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return "\(id):\(bytes.base64EncodedString())"
    }

    /// Where the key comes from, in order: `YIDAN_DATA_KEY`, an explicit
    /// file, `YIDAN_DATA_KEY_FILE`, then `defaultFile` (created if missing).
    public static func load(
        explicitFile: String? = nil, defaultFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DataKeyRing {
        if let inline = environment["YIDAN_DATA_KEY"], !inline.isEmpty {
            return try DataKeyRing(lines: inline, source: "YIDAN_DATA_KEY")
        }
        if let path = explicitFile ?? environment["YIDAN_DATA_KEY_FILE"] {
            return try read(URL(fileURLWithPath: path))
        }
        guard let defaultFile else {
            throw YidanError(.configuration, "no data key: set YIDAN_DATA_KEY or YIDAN_DATA_KEY_FILE")
        }
        if !FileManager.default.fileExists(atPath: defaultFile.path) {
            try create(at: defaultFile)
        }
        return try read(defaultFile)
    }

    /// Writes a key file holding one new key, readable by its owner only —
    /// unless another process created it first, whose key then stands.
    ///
    /// Two processes opening a new store at once (`yidan run` beside
    /// `yidan submit`) must not each write a key: the loser's data would be
    /// sealed with a key nobody keeps. The key is written to a private
    /// temporary file and hard-linked into place, which fails if the name
    /// exists, so readers see a whole file or none and the first key wins.
    public static func create(at url: URL, id: String = "k1") throws {
        let text = "# yidan data key: keep it out of backups of the database\n\(newKeyLine(id: id))\n"
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        let created = FileManager.default.createFile(
            atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]
        )
        guard created else {
            throw YidanError(.configuration, "cannot create the data key file \(url.path)")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            try FileManager.default.linkItem(at: temporary, to: url)
        } catch where FileManager.default.fileExists(atPath: url.path) {
            // Another process put its key there first: use that one.
        } catch {
            throw YidanError(.configuration, "cannot create the data key file \(url.path)", cause: error)
        }
    }

    static func read(_ url: URL) throws -> DataKeyRing {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read the data key file \(url.path)", cause: error)
        }
        return try DataKeyRing(lines: text, source: url.path)
    }

    static func parseKey(_ line: String, where place: String) throws -> Key {
        guard let colon = line.firstIndex(of: ":") else {
            throw YidanError(.configuration, "\(place): a data key is ID:BASE64")
        }
        let id = String(line[..<colon])
        guard !id.isEmpty, id.utf8.count <= 32, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw YidanError(.configuration, "\(place): a data key id is 1–32 letters, digits, '-' or '_'")
        }
        guard let bytes = Data(base64Encoded: String(line[line.index(after: colon)...])), bytes.count == 32 else {
            throw YidanError(.configuration, "\(place): data key '\(id)' must be 32 bytes in base64")
        }
        return Key(id: id, material: SymmetricKey(data: bytes))
    }
}
