public import Foundation
import Crypto
import YidanCore

/// Seals and opens the stored values that hold personal data: an order's
/// JSON (buyer name, ID number, phone, consignee address) and a filing's
/// signed bytes (which must carry the real values to customs).
///
/// Layout of a sealed value: `YDS1` · key-id length (1 byte) · key id ·
/// AES-GCM nonce (12) · ciphertext · tag (16). The value's row identity
/// (`order:NO` or `filing:ID`) is the associated data, so a sealed value
/// copied into another row does not open.
public struct PersonalDataSealer: Sendable {
    public let keys: DataKeyRing
    static let magic = Data("YDS1".utf8)

    public init(keys: DataKeyRing) {
        self.keys = keys
    }

    public func seal(_ plaintext: Data, context: String) throws -> Data {
        let key = keys.current
        do {
            let box = try AES.GCM.seal(plaintext, using: key.material, authenticating: Data(context.utf8))
            var out = Self.magic
            out.append(UInt8(key.id.utf8.count))
            out.append(contentsOf: key.id.utf8)
            out.append(contentsOf: box.nonce)
            out.append(box.ciphertext)
            out.append(box.tag)
            return out
        } catch {
            throw YidanError(.store, "sealing personal data failed", cause: error)
        }
    }

    /// Opens a sealed value; a value written before sealing was enabled
    /// (no header) is returned as it is.
    public func open(_ stored: Data, context: String) throws -> Data {
        guard let header = Self.header(of: stored) else { return stored }
        guard let key = keys.key(id: header.keyID) else {
            throw YidanError(.configuration, "stored data is sealed with data key '\(header.keyID)', which is not in the key ring")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: stored[header.bodyStart...])
            return try AES.GCM.open(box, using: key.material, authenticating: Data(context.utf8))
        } catch {
            throw YidanError(.store, "stored personal data does not open with key '\(header.keyID)' (tampered, or moved from another row)", cause: error)
        }
    }

    /// The id of the key that sealed `stored`, or nil if it is not sealed.
    public static func keyID(of stored: Data) -> String? {
        header(of: stored)?.keyID
    }

    static func header(of stored: Data) -> (keyID: String, bodyStart: Data.Index)? {
        let start = stored.startIndex
        guard stored.count > magic.count + 1, stored[start..<start + magic.count] == magic else { return nil }
        let length = Int(stored[start + magic.count])
        let idStart = start + magic.count + 1
        guard length > 0, stored.count >= magic.count + 1 + length + 12 + 16 else { return nil }
        guard let id = String(data: stored[idStart..<idStart + length], encoding: .utf8) else { return nil }
        return (id, idStart + length)
    }
}
