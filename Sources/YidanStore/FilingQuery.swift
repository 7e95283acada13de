public import Foundation
public import YidanCore

/// What a broker asks of the outbox: filings narrowed by status, authority,
/// message kind, merchant, order and creation time, one page at a time.
///
/// Every set filter is "any of"; nil (or an empty set) means no filter on
/// that field. Filters combine with AND. Pages run newest first, ordered by
/// (createdAt, id) descending, so a cursor names an exact place in that order:
/// filings inserted while a client pages are newer than its cursor and never
/// show up twice or push a row out of a later page.
public struct FilingQuery: Sendable, Equatable {
    /// The largest page a store returns, whatever `limit` asks.
    public static let maximumLimit = 1000

    public var statuses: Set<FilingStatus>?
    public var authorities: Set<Authority>?
    public var kinds: Set<MessageKind>?
    /// Merchant (e-commerce enterprise, `ebcCode`) codes.
    public var merchants: Set<String>?
    public var orderNo: String?
    /// Created at or after this instant.
    public var createdFrom: Date?
    /// Created before this instant (exclusive, so consecutive ranges do not overlap).
    public var createdTo: Date?
    /// Page size, 1...`maximumLimit` (clamped).
    public var limit: Int
    /// Continue after this place (the `next` of the previous page).
    public var after: FilingCursor?

    public init(
        statuses: Set<FilingStatus>? = nil, authorities: Set<Authority>? = nil, kinds: Set<MessageKind>? = nil,
        merchants: Set<String>? = nil, orderNo: String? = nil, createdFrom: Date? = nil, createdTo: Date? = nil,
        limit: Int = 50, after: FilingCursor? = nil
    ) {
        self.statuses = statuses
        self.authorities = authorities
        self.kinds = kinds
        self.merchants = merchants
        self.orderNo = orderNo
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.limit = limit
        self.after = after
    }

    /// The page size a store uses.
    public var clampedLimit: Int { min(max(limit, 1), Self.maximumLimit) }

    /// The message kinds the kind and authority filters allow together, or nil
    /// when neither filters. May be empty: nothing can match then.
    public var allowedKinds: Set<MessageKind>? {
        let byAuthority = authorities.flatMap { wanted in
            wanted.isEmpty ? nil : Set(MessageKind.allCases.filter { wanted.contains($0.authority) })
        }
        let byKind = kinds.flatMap { $0.isEmpty ? nil : $0 }
        switch (byKind, byAuthority) {
        case (nil, nil): return nil
        case let (kinds?, nil): return kinds
        case let (nil, kinds?): return kinds
        case let (left?, right?): return left.intersection(right)
        }
    }
}

/// A place in the (createdAt, id) order of filings, opaque to clients: its
/// string form (URL-safe base64, no padding) goes into `?after=` and
/// `--after`, and parses back exactly (the creation time keeps every bit).
public struct FilingCursor: Sendable, Hashable, LosslessStringConvertible {
    public var createdAt: Date
    public var id: String

    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Parses a cursor's string form; nil when it is not one.
    public init?(_ description: String) {
        var base64 = description.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let bits = UInt64(parts[0], radix: 16), !parts[1].isEmpty else { return nil }
        self.init(createdAt: Date(timeIntervalSince1970: Double(bitPattern: bits)), id: String(parts[1]))
    }

    public var description: String {
        let text = String(createdAt.timeIntervalSince1970.bitPattern, radix: 16) + " " + id
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A filing as a broker lists it: the record without its payload bytes, plus
/// the order's merchant and declaring agent codes.
public struct FilingOverview: Sendable, Equatable {
    public var id: String
    public var orderNo: String
    public var kind: MessageKind
    public var status: FilingStatus
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var leaseUntil: Date?
    public var lastError: String?
    public var lastReturnStatus: String?
    public var lastReturnInfo: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var purpose: FilingPurpose
    public var supersedes: String?
    /// The order's e-commerce enterprise (`ebcCode`); nil for orders stored without one.
    public var merchant: String?
    /// The order's declaring agent (`agentCode`), the broker; nil when unknown.
    public var agent: String?

    public init(
        id: String, orderNo: String, kind: MessageKind, status: FilingStatus, attempts: Int, nextAttemptAt: Date?,
        leaseUntil: Date?, lastError: String?, lastReturnStatus: String?, lastReturnInfo: String?, createdAt: Date,
        updatedAt: Date, purpose: FilingPurpose, supersedes: String?, merchant: String?, agent: String?
    ) {
        self.id = id
        self.orderNo = orderNo
        self.kind = kind
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.leaseUntil = leaseUntil
        self.lastError = lastError
        self.lastReturnStatus = lastReturnStatus
        self.lastReturnInfo = lastReturnInfo
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.purpose = purpose
        self.supersedes = supersedes
        self.merchant = merchant
        self.agent = agent
    }

    /// The authority the filing goes to.
    public var authority: Authority { kind.authority }

    /// True once nothing more can happen to the filing.
    public var isFinal: Bool { status.isTerminal(for: kind) }

    /// Not final and created before `deadline`: waiting too long for its final receipt.
    public func isStuck(deadline: Date) -> Bool { !isFinal && createdAt < deadline }

    /// Where this page continues from.
    public var cursor: FilingCursor { FilingCursor(createdAt: createdAt, id: id) }
}

/// One page of filings, newest first; `next` is nil on the last page.
public struct FilingPage: Sendable, Equatable {
    public var filings: [FilingOverview]
    public var next: FilingCursor?

    public init(filings: [FilingOverview], next: FilingCursor?) {
        self.filings = filings
        self.next = next
    }
}
