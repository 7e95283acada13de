public import Foundation
import Crypto
import YidanCore

/// One entry of the append-only audit trail: a message sent, a receipt
/// received or an order accepted, with the SHA-256 digest of the exact bytes.
///
/// Entries form a hash chain: `hash` = SHA-256 over the entry's fields and
/// the previous entry's `hash`, so editing, deleting or reordering any entry
/// breaks every later link, which `AuditTrail.verify` finds. The trail keeps
/// digests, never bytes: pruning old payloads leaves it whole.
public struct AuditEntry: Sendable, Equatable, Codable {
    public enum Event: String, Sendable, Codable {
        /// An order and its filings stored (digest of the normalized order JSON).
        case accepted
        /// Bytes posted to an authority (digest of the request body).
        case sent
        /// A receipt taken in (digest of the receipt message as received).
        case received
    }

    public var sequence: Int64
    /// Microseconds since 1970, so the hash input is exact.
    public var atMicroseconds: Int64
    public var event: Event
    public var orderNo: String?
    public var filingID: String?
    /// e.g. the message kind, HTTP status or receipt kind and returnStatus.
    public var detail: String
    /// Lower-case hex SHA-256 of the exact bytes.
    public var digest: String
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, atMicroseconds: Int64, event: Event, orderNo: String?, filingID: String?, detail: String, digest: String,
        previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.atMicroseconds = atMicroseconds
        self.event = event
        self.orderNo = orderNo
        self.filingID = filingID
        self.detail = detail
        self.digest = digest
        self.previousHash = previousHash
        self.hash = hash
    }

    public var at: Date { Date(timeIntervalSince1970: Double(atMicroseconds) / 1_000_000) }

    /// The hash of an entry with these fields after `previousHash`.
    public static func chainHash(
        sequence: Int64, atMicroseconds: Int64, event: Event, orderNo: String?, filingID: String?, detail: String,
        digest: String, previousHash: String
    ) -> String {
        // Fields joined by a unit separator that none of them may contain.
        let fields = [
            String(sequence), String(atMicroseconds), event.rawValue, orderNo ?? "", filingID ?? "", detail, digest, previousHash,
        ]
        let input = fields.joined(separator: "\u{1F}")
        return Hex.lowercase(SHA256.hash(data: Data(input.utf8)))
    }

    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public static func digest(_ bytes: Data) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }
}

/// What `AuditTrail.verify` found.
public struct AuditVerification: Sendable, Equatable {
    public var entries: Int
    /// The first entry whose link does not hold, and why; nil when the chain is whole.
    public var firstBroken: (sequence: Int64, reason: String)?

    public static func == (lhs: AuditVerification, rhs: AuditVerification) -> Bool {
        lhs.entries == rhs.entries && lhs.firstBroken?.sequence == rhs.firstBroken?.sequence
            && lhs.firstBroken?.reason == rhs.firstBroken?.reason
    }
}

public enum AuditTrail {
    /// Walks entries in sequence order and checks every link.
    public static func verify(_ entries: [AuditEntry]) -> AuditVerification {
        var previous = AuditEntry.genesis
        var expectedSequence: Int64? = nil
        for entry in entries {
            if let expected = expectedSequence, entry.sequence != expected {
                return AuditVerification(entries: entries.count, firstBroken: (entry.sequence, "entry \(expected) is missing"))
            }
            if entry.previousHash != previous {
                return AuditVerification(entries: entries.count, firstBroken: (entry.sequence, "does not follow the entry before it"))
            }
            let recomputed = AuditEntry.chainHash(
                sequence: entry.sequence, atMicroseconds: entry.atMicroseconds, event: entry.event, orderNo: entry.orderNo,
                filingID: entry.filingID, detail: entry.detail, digest: entry.digest, previousHash: entry.previousHash
            )
            if recomputed != entry.hash {
                return AuditVerification(entries: entries.count, firstBroken: (entry.sequence, "its content was changed after it was written"))
            }
            previous = entry.hash
            expectedSequence = entry.sequence + 1
        }
        return AuditVerification(entries: entries.count, firstBroken: nil)
    }
}
