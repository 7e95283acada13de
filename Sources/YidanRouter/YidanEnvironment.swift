public import Foundation
public import YidanCore
public import YidanStore
public import YidanMapping
public import YidanRates
import YidanSigning

/// How filings are signed. A hardware key would come in as another `Signer`.
public struct SigningSettings: Sendable {
    public enum Algorithm: String, Sendable {
        case rsaSHA256 = "rsa-sha256"
        case rsaSHA1 = "rsa-sha1"
    }

    /// PEM private key; nil = the test key shipped in `Fixtures/keys/`.
    public var keyPath: String?
    public var certificatePath: String?
    public var keyName: String
    public var algorithm: Algorithm

    public init(keyPath: String? = nil, certificatePath: String? = nil, keyName: String = "yidan-test", algorithm: Algorithm = .rsaSHA256) {
        self.keyPath = keyPath
        self.certificatePath = certificatePath
        self.keyName = keyName
        self.algorithm = algorithm
    }
}

/// Everything loaded once per process: the store, the mappings, tables and the
/// signer, and the intake and receipt applier built from them.
public struct YidanEnvironment: Sendable {
    public let store: any FilingStore
    public let mappingsDirectory: URL
    public private(set) var intake: OrderIntake
    public let returnStatuses: ReturnStatusTable
    /// BaseTransfer and DXP ids from `Mappings/profile.yaml`.
    public let profile: MappingProfile
    /// `Mappings/tables/tax-rates.csv`: the intake's tax and the tax-bill reconciliation.
    public let taxRates: TaxRateTable
    /// The merchant's exchange-rate files (`--rates`): an export's FX record
    /// (FX-EXPORT) needs them for its RMB amount. The intake gets them too: it
    /// refuses a foreign-currency export they cannot convert (RMB exports need none).
    public var exchangeRates: ExchangeRates? {
        didSet { intake.exchangeRates = exchangeRates }
    }

    public init(
        storePath: String, mappingsPath: String? = nil, signing: SigningSettings = SigningSettings(),
        clock: @escaping @Sendable () -> ZonedDateTime = { ZonedDateTime.now() }
    ) throws {
        // A PostgreSQL URL is opened by the command line (`StoreLocation`), which
        // passes the store in; here it would become an SQLite file of that name.
        guard !storePath.hasPrefix("postgres://"), !storePath.hasPrefix("postgresql://") else {
            throw YidanError(.configuration, "this command takes an SQLite store file; a PostgreSQL store is for `yidan worker`")
        }
        try self.init(store: SealedFilingStore.sqlite(path: storePath), mappingsPath: mappingsPath, signing: signing, clock: clock)
    }

    /// The environment around a store opened elsewhere (e.g. the PostgreSQL store shared by workers).
    public init(
        store: any FilingStore, mappingsPath: String? = nil, signing: SigningSettings = SigningSettings(),
        clock: @escaping @Sendable () -> ZonedDateTime = { ZonedDateTime.now() }
    ) throws {
        let directory = try MappingCatalog.locate(explicit: mappingsPath)
        let catalog = try MappingCatalog(directory: directory)
        let taxRates = try TaxRateTable(csv: Self.read(directory.appendingPathComponent("tables/tax-rates.csv")))
        let statuses = try ReturnStatusTable(csv: Self.read(directory.appendingPathComponent("tables/return-status.csv")))
        let signer = try Self.makeSigner(signing, packageRoot: directory.deletingLastPathComponent())
        self.store = store
        self.mappingsDirectory = directory
        self.returnStatuses = statuses
        self.profile = catalog.profile
        self.taxRates = taxRates
        self.intake = OrderIntake(store: store, mappings: catalog, taxRates: taxRates, signer: signer, clock: clock)
    }

    static func read(_ url: URL) throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read \(url.path)", cause: error)
        }
    }

    static func makeSigner(_ settings: SigningSettings, packageRoot: URL) throws -> any Signer {
        let keys = packageRoot.appendingPathComponent("Fixtures/keys")
        let keyPath = settings.keyPath ?? keys.appendingPathComponent("test-signing-key.pem").path
        let certPath = settings.certificatePath ?? (settings.keyPath == nil ? keys.appendingPathComponent("test-signing-cert.pem").path : nil)
        let keyPEM = try read(URL(fileURLWithPath: keyPath))
        let certPEM = try certPath.map { try read(URL(fileURLWithPath: $0)) }
        let algorithm: SignatureAlgorithm = settings.algorithm == .rsaSHA1 ? .rsaSHA1 : .rsaSHA256
        return try PEMRSASigner(privateKeyPEM: keyPEM, certificatePEM: certPEM, keyName: settings.keyName, algorithm: algorithm)
    }
}
