public import Foundation
public import YidanCore
import YidanMapping

/// How the authority simulator listens, paces its receipts and delivers them.
///
/// The endpoints are fixed: `POST /dxp/messages`, `/tax/filings`, `/fx/filings`
/// (see `AuthoritySimulator`). Receipts go to `callbackURL` (customs receipts in a
/// `DxpMsg` envelope, tax/FX receipts as themselves), to `inboxDirectory`
/// (one file per receipt), to both, or nowhere (they are still counted).
public struct SimulatorConfiguration: Sendable {
    /// Interface to bind; loopback unless a demo needs otherwise.
    public var host: String
    /// Port to bind; 0 lets the system pick a free one (read it from `start()`).
    public var port: Int
    /// Pause before each receipt step (customs takes its time between 2, 3 and 120).
    public var stepDelay: Duration
    /// How long an inventory (CEB621) waits for its order, payment and waybill
    /// before it is refused with returnStatus 100, counted in step delays; also how
    /// long a tax/FX filing waits for its CEB311/CEB411 before it is refused with -3.
    public var matchWindowSteps: Int
    /// Where receipts are POSTed, wrapped in a DxpMsg envelope; nil for none.
    public var callbackURL: URL?
    /// Where receipts are written as `<kind>_<guid>_<seq>.xml`; nil for none.
    public var inboxDirectory: URL?
    /// The XSD every declared message is validated against
    /// (normally `Mappings/schemas/ceb-import.xsd`). The tax and FX filing schemas
    /// (`tax-filing-v1.xsd`, `fx-filing-v1.xsd`) and the export declarations'
    /// `ceb-export.xsd` are read from the same folder.
    public var schemaURL: URL
    /// Tries per receipt callback before giving up on it (counted as a delivery failure).
    public var callbackAttempts: Int
    /// Largest request body accepted on `/dxp/messages`.
    public var maxRequestBytes: Int
    /// The DXP id the simulator answers as (DxpRep `RecevierId`, receipt envelope sender).
    public var gatewayDxpId: String
    /// The faults in force from the start; change them later with `setFaultPlan`.
    public var faultPlan: FaultPlan
    /// The import tax rates (`Mappings/tables/tax-rates.csv`) customs bills a
    /// released inventory with (CEB816); nil sends no tax bills.
    public var taxRates: TaxRateTable?

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        stepDelay: Duration = .milliseconds(200),
        matchWindowSteps: Int = 10,
        callbackURL: URL? = nil,
        inboxDirectory: URL? = nil,
        schemaURL: URL,
        callbackAttempts: Int = 5,
        maxRequestBytes: Int = 4 * 1024 * 1024,
        gatewayDxpId: String = "DXPEDCCEB0000002",
        faultPlan: FaultPlan = FaultPlan(),
        taxRates: TaxRateTable? = nil
    ) {
        self.host = host
        self.port = port
        self.stepDelay = stepDelay
        self.matchWindowSteps = matchWindowSteps
        self.callbackURL = callbackURL
        self.inboxDirectory = inboxDirectory
        self.schemaURL = schemaURL
        self.callbackAttempts = callbackAttempts
        self.maxRequestBytes = maxRequestBytes
        self.gatewayDxpId = gatewayDxpId
        self.faultPlan = faultPlan
        self.taxRates = taxRates
    }

    /// The project's import schema under a `Mappings/` folder.
    public static func importSchema(inMappings mappings: URL) -> URL {
        mappings.appendingPathComponent(MappingCatalog.schemaFile)
    }
}
