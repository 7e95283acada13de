import Crypto
import Foundation
import GRDB
import YidanCore

/// Tamper evidence: per product, each event's link holds the previous link's
/// hash, and each link's own hash covers that and the event's hash id. The
/// event hash id is recomputed from the stored body, so editing a stored event,
/// its id, a link or the order of links breaks the chain at that point.
public enum TraceChain {
    static func linkHash(previous: String, eventID: String) -> String {
        let digest = SHA256.hash(data: Data((previous + "\n" + eventID).utf8))
        return Hex.lowercase(digest)
    }

    /// The first broken link of one product's chain.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public var product: String
        public var position: Int64
        public var eventID: String
        public var reason: String
        public var description: String { "\(product) link \(position) (\(eventID)): \(reason)" }
    }

    public struct Report: Sendable, Equatable {
        public var chains: Int
        public var links: Int
        public var breaks: [Break]
        public var isIntact: Bool { breaks.isEmpty }
    }
}

extension TraceStore {
    /// Checks every product's chain; names the first broken link of each broken chain.
    public func verifyChains() async throws -> TraceChain.Report {
        do {
            return try await pool.read { db in
                var report = TraceChain.Report(chains: 0, links: 0, breaks: [])
                var product: String?
                var expectedPrevious = ""
                var expectedPosition: Int64 = 0
                var broken = false
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT c.product, c.position, c.event_id AS link_event_id, c.previous_hash, c.link_hash,
                           e.seq, e.event_id, e.body, e.namespaces, e.origin
                    FROM trace_chain c LEFT JOIN trace_events e ON e.seq = c.seq
                    ORDER BY c.product, c.position
                    """)
                while let row = try rows.next() {
                    let rowProduct: String = row["product"]
                    if rowProduct != product {
                        product = rowProduct
                        report.chains += 1
                        expectedPrevious = ""
                        expectedPosition = 0
                        broken = false
                    }
                    report.links += 1
                    guard !broken else { continue }
                    let position: Int64 = row["position"]
                    let linkEventID: String = row["link_event_id"]
                    var reason: String?
                    if position != expectedPosition {
                        reason = "link \(expectedPosition) is missing"
                    } else if row["seq"] as Int64? == nil {
                        reason = "its event is missing"
                    } else if (row["event_id"] as String?) != linkEventID {
                        reason = "the event's id differs from the id the link holds"
                    } else if (row["previous_hash"] as String) != expectedPrevious {
                        reason = "previous-link hash does not match the link before it"
                    } else if (row["link_hash"] as String) != TraceChain.linkHash(previous: expectedPrevious, eventID: linkEventID) {
                        reason = "link hash does not match its content"
                    } else {
                        do {
                            let stored = try StoredEvent(row: row)
                            if EventHash.id(stored.event) != linkEventID {
                                reason = "the stored event was changed (its hash is now \(EventHash.id(stored.event)))"
                            }
                        } catch {
                            reason = "the stored event no longer reads"
                        }
                    }
                    if let reason {
                        report.breaks.append(TraceChain.Break(product: rowProduct, position: position, eventID: linkEventID, reason: reason))
                        broken = true
                    }
                    expectedPrevious = row["link_hash"]
                    expectedPosition = position + 1
                }
                return report
            }
        } catch {
            throw YidanError(.store, "verifying the trace chains", cause: error)
        }
    }
}
