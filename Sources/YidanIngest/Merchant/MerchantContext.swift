public import Foundation
public import YidanCore
public import YidanRates

/// The files a merchant keeps, joined to every platform order: profile,
/// product catalog, the identities side file and exchange rates.
public struct MerchantContext: Sendable {
    /// Which date picks the exchange rate of a foreign-currency order.
    public enum RateDate: Sendable, Equatable {
        /// The order's time (the rate of the order's date or month; the design's default).
        case orderTime
        /// One date for every order, e.g. the declaration date: customs values
        /// goods at the rate in force when the declaration is accepted.
        case fixed(ZonedDateTime)
    }

    public var profile: MerchantProfile
    public var catalog: ProductCatalog
    public var identities: BuyerIdentities
    public var rates: ExchangeRates?
    public var rateDate: RateDate

    public init(
        profile: MerchantProfile, catalog: ProductCatalog, identities: BuyerIdentities = .empty,
        rates: ExchangeRates? = nil, rateDate: RateDate = .orderTime
    ) {
        self.profile = profile
        self.catalog = catalog
        self.identities = identities
        self.rates = rates
        self.rateDate = rateDate
    }

    /// Loads and validates the merchant's files. Rate files are ECB `.xml` or
    /// customs monthly `.csv` (see `ExchangeRates.load`). Errors name the file,
    /// line, key or column, value and rule.
    public static func load(profile: URL, catalog: URL, identities: URL? = nil, rates: [URL] = []) throws -> MerchantContext {
        MerchantContext(
            profile: try MerchantProfile(contentsOf: profile),
            catalog: try ProductCatalog(contentsOf: catalog),
            identities: try identities.map { try BuyerIdentities(contentsOf: $0) } ?? .empty,
            rates: rates.isEmpty ? nil : try ExchangeRates.load(rates)
        )
    }
}
