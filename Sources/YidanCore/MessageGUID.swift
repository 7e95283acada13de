public import Foundation

/// The guid of a message yidan files (the CEB `guid`, also the filing's id in
/// the store): 36 upper-case characters, an RFC 9562 UUID of version 7.
///
/// Version 7 starts with the creation time in milliseconds, followed by 74
/// random bits. The store indexes filings, their status moves, attempts and
/// receipts by this id; with random (version 4) ids every row a group commit
/// wrote landed on a different page of each such index, so each filing cost
/// a few 4 KB pages of WAL and checkpoint writes for a few dozen bytes of
/// index entries. Ids that grow with time put the filings of one claim or
/// one commit on the same pages. Customs asks for 36 characters, unique per
/// message; the time in the id is no secret (the message carries it too).
public enum MessageGUID {
    /// A new guid for a message created at `now`.
    public static func make(now: Date) -> String {
        let milliseconds = UInt64(max(0, (now.timeIntervalSince1970 * 1000).rounded(.down)))
        var raw = UUID().uuid  // 122 random bits, RFC 4122 variant
        withUnsafeMutableBytes(of: &raw) { bytes in
            for index in 0..<6 {
                bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index)))
            }
            bytes[6] = (bytes[6] & 0x0F) | 0x70
        }
        return UUID(uuid: raw).uuidString.uppercased()
    }
}
