public import Foundation
import YidanCore

/// What the tax and FX filings read beyond the order and its tax: values that
/// do not come from the order itself (the buyer's annual total before this
/// order, the exchange rate, the customs declaration number once known).
struct AuthorityFilingInputs: Sendable {
    /// The buyer's annual cross-border total before this order (RMB).
    let annualBefore: Decimal
    /// Customs declaration number (CEB792 `entryId`); nil until customs assigns it.
    let declarationNo: String?
    let rate: ExchangeRateUse?
    /// An export's conversion, given by the caller from the merchant's rate files.
    let exchangeRate: FilingExchangeRate?

    init(order: NormalizedOrder, annualBefore: Decimal, declarationNo: String?, exchangeRate: FilingExchangeRate? = nil) {
        self.annualBefore = annualBefore
        self.declarationNo = declarationNo
        self.rate = ExchangeRateUse(order: order)
        self.exchangeRate = exchangeRate
    }
}

/// The conversion of an export's collected amount to RMB, as `ExchangeRates`
/// (YidanRates) made it: the RMB amount (rounded half-up to the fen), the rate,
/// its date and where it comes from. YidanMapping does not read rate files itself.
public struct FilingExchangeRate: Sendable, Equatable {
    public var rmbAmount: Decimal
    /// RMB per unit of the order currency.
    public var rate: Decimal
    /// `yyyy-MM-dd`.
    public var rateDate: String
    public var source: String

    public init(rmbAmount: Decimal, rate: Decimal, rateDate: String, source: String) {
        self.rmbAmount = rmbAmount
        self.rate = rate
        self.rateDate = rateDate
        self.source = source
    }
}

/// The rate an order's payment is converted to RMB with, and where it comes from.
struct ExchangeRateUse: Sendable {
    /// RMB per unit of the order currency.
    let rate: Decimal
    let date: ZonedDateTime
    let source: String

    static let noConversionSource = "CNY, no conversion"

    /// Orders in RMB need no rate: 1, dated the payment day. Any other currency
    /// needs a rate feed (customs' monthly rate), which yidan does not read yet,
    /// so it is left absent and the FX filing reports `/currency`.
    init?(order: NormalizedOrder) {
        guard order.currency.uppercased() == "CNY" else { return nil }
        self.rate = 1
        self.date = order.payment.payTime
        self.source = Self.noConversionSource
    }
}

extension SourcePath {
    /// Paths only the authority filings use: `itemTax.*` (the item's line of
    /// `OrderTax`, inside a repeat), `taxFiling.*`, `annual.*` and `fx.*`.
    static let authorityFilingPaths: [String: SourcePath] = {
        var paths: [String: SourcePath] = [:]
        func itemTax(_ name: String, _ read: @escaping @Sendable (ItemTax) -> MappingValue?) {
            paths["itemTax." + name] = SourcePath(
                name: "itemTax." + name, needsItem: true,
                read: { scope in
                    scope.itemIndex.flatMap { index in scope.tax.items.first { $0.index == index } }.flatMap(read)
                },
                pointer: { "tax/items/\($0.itemIndex ?? 0)/\(name)" }, mask: nil
            )
        }
        func other(_ name: String, _ pointer: String, _ read: @escaping @Sendable (MappingScope) -> MappingValue?) {
            paths[name] = SourcePath(name: name, needsItem: false, read: read, pointer: { _ in pointer }, mask: nil)
        }

        itemTax("dutiable") { .decimal($0.dutiable) }
        itemTax("duty") { .decimal($0.duty) }
        itemTax("vat") { .decimal($0.vat) }
        itemTax("consumptionTax") { .decimal($0.consumptionTax) }
        itemTax("total") { .decimal($0.total) }
        itemTax("dutyRate") { .decimal($0.rate.duty) }
        itemTax("vatRate") { .decimal($0.rate.vat) }
        itemTax("consumptionRate") { .decimal($0.rate.consumption) }
        itemTax("rateSource") { .text($0.rate.source) }
        itemTax("hsPrefix") { .text($0.rate.hsPrefix) }

        // Within the limits VAT and CT are charged at 70 % and duty is 0; a
        // single item over the per-order limit pays the full rates.
        other("taxFiling.regime", "tax") { .text($0.tax.fullRate ? "full-rate" : "within-limits") }
        other("taxFiling.share", "tax") { .decimal($0.tax.fullRate ? 1 : CompositeTax.withinLimitsShare) }
        other("taxFiling.allowanceUse", "tax") { .decimal($0.tax.allowanceUse) }

        other("annual.before", "annualBefore") { $0.authority.map { .decimal($0.annualBefore) } }
        other("annual.after", "annualBefore + tax") { scope in
            scope.authority.map { .decimal($0.annualBefore + scope.tax.allowanceUse) }
        }
        other("annual.limit", "CompositeTax.annualLimit") { _ in .decimal(CompositeTax.annualLimit) }

        other("fx.rate", "/currency") { $0.authority?.rate.map { .decimal($0.rate) } }
        other("fx.rateDate", "/currency") { $0.authority?.rate.map { .time($0.date) } }
        other("fx.rateSource", "/currency") { $0.authority?.rate.map { .text($0.source) } }
        other("fx.rmbAmount", "/payment/amount") { scope in
            scope.authority?.rate.map { .decimal(Money.round(scope.order.payment.amount * $0.rate, scale: 2)) }
        }
        // The seller abroad: the order has no seller-country field, so the
        // first item's country of origin stands for it (as CEB621 does for 9610).
        other("fx.counterpartyCountry", "/items/0/originCountry") { .optionalText($0.order.items.first?.originCountry) }
        // An export's conversion (FX-EXPORT), from the rate files the merchant gave.
        other("fxExport.rmbAmount", "/currency") { $0.authority?.exchangeRate.map { .decimal($0.rmbAmount) } }
        other("fxExport.rate", "/currency") { $0.authority?.exchangeRate.map { .decimal($0.rate) } }
        other("fxExport.rateDate", "/currency") { scope in
            scope.authority?.exchangeRate.map { .text($0.rateDate.replacingOccurrences(of: "-", with: "")) }
        }
        other("fxExport.rateSource", "/currency") { $0.authority?.exchangeRate.map { .text($0.source) } }
        other("fx.declarationNo", "declarationNo") { $0.authority?.declarationNo.map(MappingValue.text) }
        return paths
    }()
}
