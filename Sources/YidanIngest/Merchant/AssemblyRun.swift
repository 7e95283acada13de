import Foundation
import YidanCore
import YidanRates

/// The state of assembling one order: values chosen so far, their provenance,
/// and every problem, so that all of them are reported together.
struct AssemblyRun {
    let platformOrder: PlatformOrder
    let context: MerchantContext
    let orderNo: String?
    var provenance: [String: Provenance] = [:]
    /// Pointer → the rule of a missing value (with where to supply it).
    var missing: [(pointer: String, rule: String)] = []
    /// Problems that are not a missing value (no catalog row, no exchange rate, …).
    var problems: [FieldIssue] = []
    /// Decoder issues under these pointers are consequences of a problem already reported.
    var suppressed: [String] = []

    init(platformOrder: PlatformOrder, context: MerchantContext) {
        self.platformOrder = platformOrder
        self.context = context
        self.orderNo = platformOrder.fields["orderNo"]?.text
    }

    var platform: String { platformOrder.platform }
    var identity: BuyerIdentity? { orderNo.flatMap { context.identities.identity(orderNo: $0) } }

    /// Side-file columns that can supply or override a normalized field.
    static let sideColumns: [String: String] = [
        "/buyer/name": "realName", "/buyer/idType": "idType", "/buyer/idNumber": "idNumber", "/buyer/phone": "phone",
        "/logistics/waybillNo": "waybillNo", "/payment/transactionId": "transactionId",
        "/consignee/name": "consigneeName", "/consignee/phone": "consigneePhone", "/consignee/address": "consigneeAddress",
        "/consignee/country": "consigneeCountry", "/consignee/district": "consigneeDistrict",
    ]

    /// Where a value may come from, in precedence order.
    enum Source {
        /// The identities file column for this pointer (`sideColumns`).
        case side
        /// A field of the platform order (`PlatformOrder.fields`).
        case platform(String)
        /// A profile key and the profile's value for it (nil when not set).
        case profile(String, String?)
    }

    /// The first source with a value; records its provenance, or the pointer as missing.
    mutating func text(_ pointer: String, _ sources: [Source], required: Bool = true, hint: String? = nil) -> String? {
        for source in sources {
            switch source {
            case .side:
                if let column = Self.sideColumns[pointer], let identity, let value = identity[column] {
                    provenance[pointer] = .identities(orderNo: identity.orderNo, column: column)
                    return value
                }
            case .platform(let field):
                if let value = platformOrder.fields[field] {
                    provenance[pointer] = .platform(source: value.source)
                    return value.text
                }
            case .profile(let key, let value):
                if let value {
                    provenance[pointer] = .profile(key: key)
                    return value
                }
            }
        }
        if required { missing.append((pointer, hint ?? "is missing: supply it in " + places(pointer, sources))) }
        return nil
    }

    /// Where the sources of a pointer are, for a missing-value rule.
    func places(_ pointer: String, _ sources: [Source]) -> String {
        var places: [String] = []
        for source in sources {
            switch source {
            case .side:
                if let column = Self.sideColumns[pointer] { places.append(sideFilePlace(column)) }
            case .platform(let field):
                places.append("the \(platform) payload (Mappings/platforms/\(platform).yaml fields.\(field))")
            case .profile(let key, _):
                places.append("profile key \(key) (\(context.profile.file))")
            }
        }
        return places.joined(separator: " or ")
    }

    func sideFilePlace(_ column: String) -> String {
        "\(context.identities.file) column \(column) of the row for order \(orderNo ?? "(no order number)")"
    }

    mutating func markMissing(_ pointer: String, _ rule: String) {
        missing.append((pointer, rule))
    }

    /// A decimal the platform gives, in its own currency.
    func platformDecimal(_ field: String, in values: [String: SourcedValue]) -> (value: Decimal, source: String)? {
        guard let sourced = values[field], let value = Money.parse(sourced.text) else { return nil }
        return (value, sourced.source)
    }

    // MARK: currency

    private var reportedCurrencies: Set<String> = []

    /// `amount` (in `currency`) in CNY, with its provenance; nil (and a problem
    /// reported once per currency) when no rate is available.
    mutating func toCNY(_ amount: Decimal, currency: String, origin: Provenance, at date: ZonedDateTime?) -> (Decimal, Provenance)? {
        if currency == "CNY" { return (amount, origin) }
        guard let date else { return nil }   // the missing order time is reported already
        let conversionDate: ZonedDateTime
        switch context.rateDate {
        case .orderTime: conversionDate = date
        case .fixed(let fixed): conversionDate = fixed
        }
        guard let rates = context.rates else {
            reportCurrency(currency, "needs an exchange rate to CNY: load a rate file (ECB eurofxref .xml or customs monthly .csv) into the merchant context")
            return nil
        }
        do {
            let converted = try rates.convert(amount, from: currency, on: conversionDate)
            return (converted.cny, .converted(
                from: Money.format(amount, minScale: 2), currency: converted.currency, rate: converted.rate.rate,
                rateDate: converted.rate.rateDate, source: converted.rate.source, origin: origin.description
            ))
        } catch let error as YidanError {
            reportCurrency(currency, "cannot be converted to CNY: \(error.message)")
            return nil
        } catch {
            reportCurrency(currency, "cannot be converted to CNY")
            return nil
        }
    }

    private mutating func reportCurrency(_ currency: String, _ rule: String) {
        guard reportedCurrencies.insert(currency).inserted else { return }
        problems.append(FieldIssue(pointer: "/currency", value: currency, rule: rule))
    }
}
