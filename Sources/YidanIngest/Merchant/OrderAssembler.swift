import Foundation
public import YidanCore
import YidanRates

/// Joins a platform order with the merchant's files into a `NormalizedOrder`
/// whose amounts are all CNY, recording where every field came from.
///
/// Precedence, per field: the identities side file (a non-empty cell is the
/// merchant's statement about that order), then the platform payload, then the
/// profile. Catalog columns (HS code, customs name, legal units, origin,
/// weights) always come from the catalog row of the line's SKU (or of its
/// platform reference when the line has no catalog SKU). Derived values:
/// - goodsValue = Σ items' totalPrice; a line's totalPrice is the platform's, or qty × unitPrice;
/// - foreign amounts are converted per amount, half-up to the fen (`ExchangeRates.convert`);
///   a converted line's unitPrice = its CNY totalPrice ÷ qty to 5 decimals, so qty × unitPrice = totalPrice;
/// - qty1/qty2 = the catalog's legal quantity per unit × qty;
/// - netWeight = Σ catalog netWeight × qty; grossWeight = netWeight + profile logistics.packagingWeight;
/// - payment.amount = goodsValue + freight + taxTotal − discount, the tax from `CompositeTax`.
public struct OrderAssembler: Sendable {
    public let context: MerchantContext
    public let taxRates: TaxRateTable

    public init(context: MerchantContext, taxRates: TaxRateTable) {
        self.context = context
        self.taxRates = taxRates
    }

    /// - Throws: `ValidationFailure` listing every missing or invalid field
    ///   together, each naming where it could be supplied; `YidanError(.notEligible)`
    ///   when the order is over the cross-border limits.
    public func assemble(_ platformOrder: PlatformOrder) throws -> AssembledOrder {
        var run = AssemblyRun(platformOrder: platformOrder, context: context)
        let profile = context.profile
        let p = platformOrder.platform

        let orderNo = run.text("/orderNo", [.platform("orderNo")]) ?? ""
        run.provenance["/platform"] = .computed("the payload was read as a \(p) order (Mappings/platforms/\(p).yaml)")
        let orderTime = run.text("/orderTime", [.platform("orderTime")]).flatMap(ZonedDateTime.init(iso8601:))
        run.provenance["/tradeMode"] = .profile(key: "customs.tradeMode")
        let sourceCurrency = run.text("/currency", [.platform("currency")])?.uppercased()
        let currencySource = run.provenance["/currency"]
        if let sourceCurrency, sourceCurrency != "CNY", let currencySource {
            run.provenance["/currency"] = .computed("CEB amounts are RMB: every amount converted from \(sourceCurrency) (\(currencySource))")
        }

        let items = ItemAssembly.items(run: &run, currency: sourceCurrency, orderTime: orderTime)
        let goodsValue = items.reduce(Decimal(0)) { $0 + $1.totalPrice }
        run.provenance["/goodsValue"] = .computed("goodsValue = Σ items' totalPrice (\(items.count) item\(items.count == 1 ? "" : "s"))")
        let freight = amount(&run, "/freight", field: "freight", required: true, currency: sourceCurrency, orderTime: orderTime)
        let insurance = amount(&run, "/insurance", field: "insurance", required: false, currency: sourceCurrency, orderTime: orderTime)
        let discount = amount(&run, "/discount", field: "discount", required: false, currency: sourceCurrency, orderTime: orderTime)

        let buyer = Buyer(
            name: run.text("/buyer/name", [.side, .platform("buyer.name")]) ?? "",
            idType: run.text("/buyer/idType", [.side, .platform("buyer.idType"), .profile("buyer.idType", profile.defaultBuyerIdType)]) ?? "",
            idNumber: run.text("/buyer/idNumber", [.side, .platform("buyer.idNumber")]) ?? "",
            phone: run.text("/buyer/phone", [.side, .platform("buyer.phone")]) ?? "",
            registrationNo: run.text("/buyer/registrationNo", [.platform("buyer.registrationNo")]) ?? ""
        )
        let consignee = Consignee(
            name: run.text("/consignee/name", [.side, .platform("consignee.name")]) ?? "",
            phone: run.text("/consignee/phone", [.side, .platform("consignee.phone")]) ?? "",
            address: run.text("/consignee/address", [.side, .platform("consignee.address")]) ?? "",
            country: run.text("/consignee/country", [.side, .platform("consignee.country")]) ?? "",
            district: run.text("/consignee/district", [.side, .platform("consignee.district"), .profile("consignee.district", profile.defaultConsigneeDistrict)], required: false)
        )
        let transactionId = run.text("/payment/transactionId", [.side, .platform("payment.transactionId")]) ?? ""
        let payTime = run.text("/payment/payTime", [.platform("payment.payTime")]).flatMap(ZonedDateTime.init(iso8601:))
        let waybillNo = run.text(
            "/logistics/waybillNo", [.side, .platform("logistics.waybillNo")],
            hint: "is missing: the \(p) order has no tracking number yet; supply logistics.waybillNo as \(run.sideFilePlace("waybillNo")), or ship first"
        ) ?? ""

        let netWeight = Money.round(items.reduce(Decimal(0)) { $0 + $1.netWeight }, scale: 5)
        run.provenance["/logistics/netWeight"] = .computed("netWeight = Σ catalog netWeight × qty (kg)")
        let grossWeight = netWeight + profile.packagingWeight
        run.provenance["/logistics/grossWeight"] = .computed(
            "grossWeight = netWeight + profile logistics.packagingWeight \(Money.format(profile.packagingWeight))"
            + (profile.givenKeys.contains("logistics.packagingWeight") ? "" : " (not set: 0)")
        )
        run.provenance["/logistics/packCount"] = profile.givenKeys.contains("logistics.packCount")
            ? .profile(key: "logistics.packCount") : .computed("packCount = 1 parcel per order (profile logistics.packCount not set)")
        for key in ["companyCode", "companyName"] {
            run.provenance["/logistics/\(key)"] = .profile(key: "logistics.\(key)")
            run.provenance["/payment/\(key)"] = .profile(key: "payment.\(key)")
        }
        for key in ["ebpCode", "ebpName", "ebcCode", "ebcName", "agentCode", "agentName", "assureCode"] {
            run.provenance["/enterprises/\(key)"] = .profile(key: "enterprises.\(key)")
        }
        let customs = profile.customs
        let customsKeys: [(String, String?)] = [
            ("customsCode", customs.customsCode), ("portCode", customs.portCode), ("emsNo", customs.emsNo),
            ("transportMode", customs.transportMode), ("transportNo", customs.transportNo), ("billNo", customs.billNo),
            ("areaCode", customs.areaCode),
        ]
        for (key, value) in customsKeys where value != nil {
            run.provenance["/customs/\(key)"] = .profile(key: "customs.\(key)")
        }
        let note = run.text("/note", [.platform("note")], required: false)

        var order = NormalizedOrder(
            orderNo: orderNo, platform: p,
            orderTime: orderTime ?? Self.placeholderTime, tradeMode: profile.tradeMode, currency: "CNY",
            goodsValue: goodsValue, freight: freight, insurance: insurance, discount: discount,
            buyer: buyer, consignee: consignee, items: items.map(\.item),
            payment: Payment(companyCode: profile.paymentCompanyCode, companyName: profile.paymentCompanyName,
                             transactionId: transactionId, amount: 0, payTime: payTime ?? Self.placeholderTime),
            logistics: Logistics(companyCode: profile.logisticsCompanyCode, companyName: profile.logisticsCompanyName,
                                 waybillNo: waybillNo, grossWeight: grossWeight, netWeight: netWeight, packCount: profile.packCount),
            enterprises: profile.enterprises, customs: customs, note: note
        )
        if platformOrder.items.isEmpty {
            run.markMissing("/items", "is missing: the \(p) order has no line items (Mappings/platforms/\(p).yaml items.path matched nothing)")
            // Without goods, the discount check and the weights only repeat that.
            run.suppressed += ["/discount", "/logistics/netWeight", "/logistics/grossWeight"]
        }
        try AssemblyValidation.check(order, run: run)

        let tax: OrderTax
        do {
            tax = try CompositeTax.compute(order: order, rates: taxRates, annualUsedBefore: 0)
        } catch let failure as ValidationFailure {
            throw ValidationFailure(issues: failure.issues.map { issue in
                var hinted = issue
                hinted.rule += ": add the HS code to Mappings/tables/tax-rates.csv or correct the catalog's gcode"
                return hinted
            })
        }
        order.payment.amount = order.expectedPayment(taxTotal: tax.total)
        var note2 = "goodsValue + freight + taxTotal − discount (taxTotal \(Money.format(tax.total, minScale: 2)) by CompositeTax)"
        if let reported = platformOrder.fields["payment.amount"] {
            note2 += "; platform reported total \(reported.text) \(sourceCurrency ?? "") (\(reported.source))"
        }
        run.provenance["/payment/amount"] = .computed(note2)
        return AssembledOrder(order: order, provenance: run.provenance)
    }

    /// Stands in for a missing time while the other fields are checked; never returned.
    static let placeholderTime = ZonedDateTime(instant: Date(timeIntervalSince1970: 0), utcOffsetSeconds: 0)

    /// An order-level amount converted to CNY; 0 with a computed provenance when optional and absent.
    private func amount(
        _ run: inout AssemblyRun, _ pointer: String, field: String, required: Bool, currency: String?, orderTime: ZonedDateTime?
    ) -> Decimal {
        // Components (freight.<label>, …) in their own currencies: Platforms/ChargeComponents.swift.
        if let total = run.componentTotal(pointer, field: field, orderCurrency: currency, orderTime: orderTime) { return total }
        guard let found = run.platformDecimal(field, in: run.platformOrder.fields) else {
            if let text = run.platformOrder.fields[field] {
                run.problems.append(FieldIssue(pointer: pointer, value: text.text, rule: "is not a plain decimal amount (from \(text.source))"))
            } else if required {
                run.markMissing(pointer, "is missing: supply it in " + run.places(pointer, [.platform(field)]))
            } else {
                run.provenance[pointer] = .computed("\(field) = 0: the \(run.platform) order states none")
            }
            return 0
        }
        guard let currency else { return 0 }
        guard let converted = run.toCNY(found.value, currency: currency, origin: .platform(source: found.source), at: orderTime) else { return 0 }
        run.provenance[pointer] = converted.1
        return converted.0
    }
}
