public import Foundation

/// A customs tax bill (CEB816) as stored, with what its reconciliation found.
public struct TaxBillRecord: Sendable, Equatable {
    /// What the reconciliation concluded.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// Every amount and HS code agrees with what yidan withheld.
        case reconciled
        /// At least one difference (listed in `differences`).
        case differs
        /// No order has the bill's inventory number: kept and reported, not compared.
        case unmatched
        /// The order is known but its tax could not be recomputed (e.g. a rate is gone).
        case unchecked
    }

    /// One difference, flattened for storage and display.
    public struct Difference: Sendable, Equatable, Codable {
        /// `TaxDifference.Kind` as text (`itemValue`, `headAmount`, …).
        public var kind: String
        /// The field (`valueAddedTax`, `gcode`, …).
        public var field: String
        /// Item number (gnum) for item-level differences.
        public var gnum: Int?
        public var expected: String
        public var billed: String

        public init(kind: String, field: String, gnum: Int?, expected: String, billed: String) {
            self.kind = kind
            self.field = field
            self.gnum = gnum
            self.expected = expected
            self.billed = billed
        }

        /// "item 1 valueAddedTax: expected 9.10, billed 9.11".
        public var summary: String {
            (gnum.map { "item \($0) " } ?? "") + "\(field): expected \(expected), billed \(billed)"
        }
    }

    /// Row id; 0 before it is stored.
    public var id: Int64
    public var guid: String
    public var taxNo: String
    public var invtNo: String
    public var orderNo: String?
    public var status: Status
    public var differences: [Difference]
    /// Why the bill could not be checked (status `unchecked`), or nil.
    public var note: String?
    /// The exact bytes received (the CEB816 message, unwrapped from its envelope).
    public var raw: Data
    public var receivedAt: Date
    public var channel: String

    public init(
        id: Int64 = 0, guid: String, taxNo: String, invtNo: String, orderNo: String?, status: Status,
        differences: [Difference], note: String? = nil, raw: Data, receivedAt: Date, channel: String
    ) {
        self.id = id
        self.guid = guid
        self.taxNo = taxNo
        self.invtNo = invtNo
        self.orderNo = orderNo
        self.status = status
        self.differences = differences
        self.note = note
        self.raw = raw
        self.receivedAt = receivedAt
        self.channel = channel
    }
}
