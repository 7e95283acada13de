public import YidanCore

/// Where and how the dispatcher delivers filings.
public struct DispatchConfiguration: Sendable {
    /// The data-exchange gateway's endpoint, e.g. `http://127.0.0.1:8088/dxp`.
    public var gatewayURL: String
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

    public init(
        gatewayURL: String, senderId: String, receiverIds: [String],
        maxInFlight: Int = 8, lease: Duration = .seconds(120), pollInterval: Duration = .seconds(5),
        retryPolicy: RetryPolicy = .standard
    ) {
        self.gatewayURL = gatewayURL
        self.senderId = senderId
        self.receiverIds = receiverIds
        self.maxInFlight = max(1, maxInFlight)
        self.lease = lease
        self.pollInterval = pollInterval
        self.retryPolicy = retryPolicy
    }
}
