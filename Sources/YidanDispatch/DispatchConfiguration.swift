import Foundation
public import YidanCore

/// Where and how the dispatcher delivers filings.
public struct DispatchConfiguration: Sendable {
    /// Where each authority's filings are posted: customs messages in a DxpMsg
    /// envelope to the data-exchange gateway, tax and FX filings as their own
    /// XML to their endpoints (`docs/filings.md`).
    public var endpoints: [Authority: String]
    /// The data-exchange gateway's endpoint (the customs endpoint), e.g. `http://127.0.0.1:8088/dxp/messages`.
    public var gatewayURL: String {
        get { endpoints[.customs] ?? "" }
        set { endpoints[.customs] = newValue }
    }
    /// Our DXP node id (TransInfo/SenderId).
    public var senderId: String
    /// The DXP receivers (TransInfo/ReceiverIds), customs' node ids.
    public var receiverIds: [String]
    /// Most deliveries in flight at once.
    public var maxInFlight: Int
    /// How long a claimed filing stays ours. Must exceed the HTTP client's total
    /// timeout, or a filing could be claimed again while its request still runs.
    public var lease: Duration
    /// Longest idle sleep: also how soon a filing whose lease expired (a crashed
    /// dispatcher) is picked up again, since `nextDueTime` only reports queued ones.
    public var pollInterval: Duration
    public var retryPolicy: RetryPolicy
    /// Each authority's own concurrency cap, request rate and circuit breaker;
    /// an authority not listed gets `AuthorityLimits.standard`.
    public var authorityLimits: [Authority: AuthorityLimits]

    /// - Parameter endpoints: the tax and FX endpoints; one not given is
    ///   derived from `gatewayURL` (`defaultEndpoint(for:gatewayURL:)`).
    public init(
        gatewayURL: String, senderId: String, receiverIds: [String], endpoints: [Authority: String] = [:],
        maxInFlight: Int = 8, lease: Duration = .seconds(120), pollInterval: Duration = .seconds(5),
        retryPolicy: RetryPolicy = .standard, authorityLimits: [Authority: AuthorityLimits] = [:]
    ) {
        var all = endpoints
        all[.customs] = gatewayURL
        for authority in Authority.allCases where all[authority] == nil {
            all[authority] = Self.defaultEndpoint(for: authority, gatewayURL: gatewayURL)
        }
        self.endpoints = all
        self.senderId = senderId
        self.receiverIds = receiverIds
        self.maxInFlight = max(1, maxInFlight)
        self.lease = lease
        self.pollInterval = pollInterval
        self.retryPolicy = retryPolicy
        self.authorityLimits = authorityLimits
    }

    /// Where `authority`'s filings go; nil when none is configured.
    public func endpoint(for authority: Authority) -> String? {
        endpoints[authority]
    }

    /// The path of each authority's endpoint on the built-in simulator, and the default.
    public static func defaultPath(for authority: Authority) -> String {
        switch authority {
        case .customs: "/dxp/messages"
        case .tax: "/tax/filings"
        case .fx: "/fx/filings"
        }
    }

    /// The gateway's scheme, host and port with the authority's default path,
    /// e.g. `http://127.0.0.1:8088/tax/filings` for `http://127.0.0.1:8088/dxp/messages`;
    /// the customs endpoint is the gateway itself. Nil when `gatewayURL` has no host.
    public static func defaultEndpoint(for authority: Authority, gatewayURL: String) -> String? {
        if authority == .customs { return gatewayURL }
        guard let gateway = URLComponents(string: gatewayURL), gateway.host != nil else { return nil }
        var base = URLComponents()
        base.scheme = gateway.scheme
        base.host = gateway.host
        base.port = gateway.port
        base.path = defaultPath(for: authority)
        return base.string
    }
}
