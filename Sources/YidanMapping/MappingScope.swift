import Foundation
import YidanCore

/// Everything a mapping's source expressions can read while one filing is built.
struct MappingScope: Sendable {
    let order: NormalizedOrder
    let tax: OrderTax
    let computed: ComputedValues
    let guid: String
    let now: ZonedDateTime
    let profile: MappingProfile
    /// Inside a `repeat` over `order.items`: the current item's 0-based index.
    var itemIndex: Int?
    /// Inputs only the tax and FX filings read (`annual.*`, `fx.*`); nil for CEB messages.
    var authority: AuthorityFilingInputs? = nil
    /// Inputs only a cancel or return reads (`change.*`); nil otherwise.
    var change: OrderChangeInputs? = nil
    /// Inputs only a CEB701 summary request reads (`summary.*`); nil otherwise.
    var summary: ExportSummaryInputs? = nil
    /// CEB `appType` (`filing.appType`): "1" for a new declaration, "2" for an amendment.
    var appType: String = MappingCatalog.newDeclarationAppType

    var item: OrderItem? {
        guard let itemIndex, order.items.indices.contains(itemIndex) else { return nil }
        return order.items[itemIndex]
    }
}

/// Values derived in Swift rather than in a mapping file, because they combine
/// several fields under a rule worth a comment (`computed.*` in mappings).
struct ComputedValues: Sendable {
    /// The tax the platform withholds, to the fen: CEB311 `taxTotal`.
    let taxTotal: Decimal
    /// CEB311 `acturalPaid` = goodsValue + freight + taxTotal − discount (the
    /// 202205 spec's definition). goodsValue already includes the non-cash
    /// discount, which is why it is subtracted here. Must equal CEB411 `amountPaid`.
    let acturalPaid: Decimal
    /// The insurance premium the logistics company charges (CEB511/621 `insuredFee`);
    /// the order carries it as `insurance`.
    let insuredFee: Decimal
    /// CEB511 `goodsInfo`: `name*qty` per item, `;`-separated, at most 200 characters.
    let goodsInfo: String
    /// CEB621 InventoryHead `country`: the spec wants the country the parcel is
    /// shipped from for 9610 and 142 (China) for bonded 1210. The order has no
    /// shipping-country field, so 9610 uses the first item's country of origin.
    let departureCountry: String?
    let departureCountryPointer: String

    static let goodsInfoMaxLength = 200

    init(order: NormalizedOrder, tax: OrderTax) {
        let taxTotal = Money.round(tax.total, scale: 2)
        self.taxTotal = taxTotal
        self.acturalPaid = Money.round(order.goodsValue + order.freight + taxTotal - order.discount, scale: 2)
        self.insuredFee = order.insurance
        var info = ""
        for item in order.items {
            let entry = "\(item.name)*\(Money.format(item.qty))"
            let candidate = info.isEmpty ? entry : info + ";" + entry
            if candidate.count > Self.goodsInfoMaxLength {
                if info.isEmpty { info = String(entry.prefix(Self.goodsInfoMaxLength)) }
                break
            }
            info = candidate
        }
        self.goodsInfo = info
        switch order.tradeMode {
        case .bonded:
            self.departureCountry = "CN"
            self.departureCountryPointer = "/tradeMode"
        case .directPurchase, .b2bExport, .overseasWarehouse:  // the export-only modes never read it (CEB621 only)
            self.departureCountry = order.items.first?.originCountry
            self.departureCountryPointer = "/items/0/originCountry"
        }
    }
}

/// One readable path (`order.buyer.name`, `item.unit`, `tax.total`, …): how to
/// read it and which field of the input it names in error messages.
struct SourcePath: Sendable {
    let name: String
    /// True for `item.*` and `index`, which only mean something inside a `repeat`.
    let needsItem: Bool
    let read: @Sendable (MappingScope) -> MappingValue?
    /// A JSON pointer into the order (`/items/1/unit`) or the file a value comes from.
    let pointer: @Sendable (MappingScope) -> String
    /// Masks the value in error messages when it is personal data.
    let mask: (@Sendable (String) -> String)?

    func maskedValue(_ value: String) -> String { mask?(value) ?? value }
}

/// Lists a `repeat` can iterate over.
struct ListPath: Sendable {
    let name: String
    let count: @Sendable (MappingScope) -> Int
    let pointer: String

    static let all: [String: ListPath] = [
        "order.items": ListPath(name: "order.items", count: { $0.order.items.count }, pointer: "/items"),
    ]
}

extension SourcePath {
    /// Every path a mapping file may name. An unknown path is an error when the
    /// catalog loads, not when an order is mapped.
    static let all: [String: SourcePath] = {
        var paths: [String: SourcePath] = [:]
        func order(_ name: String, _ pointer: String, mask: (@Sendable (String) -> String)? = nil,
                   _ read: @escaping @Sendable (NormalizedOrder) -> MappingValue?) {
            paths["order." + name] = SourcePath(
                name: "order." + name, needsItem: false, read: { read($0.order) }, pointer: { _ in pointer }, mask: mask
            )
        }
        func item(_ name: String, _ read: @escaping @Sendable (OrderItem) -> MappingValue?) {
            paths["item." + name] = SourcePath(
                name: "item." + name, needsItem: true, read: { $0.item.flatMap(read) },
                pointer: { "/items/\($0.itemIndex ?? 0)/\(name)" }, mask: nil
            )
        }
        func other(_ name: String, _ pointer: String, _ read: @escaping @Sendable (MappingScope) -> MappingValue?) {
            paths[name] = SourcePath(name: name, needsItem: false, read: read, pointer: { _ in pointer }, mask: nil)
        }

        order("orderNo", "/orderNo") { .text($0.orderNo) }
        order("platform", "/platform") { .text($0.platform) }
        order("orderTime", "/orderTime") { .time($0.orderTime) }
        order("tradeMode", "/tradeMode") { .text($0.tradeMode.rawValue) }
        order("currency", "/currency") { .text($0.currency) }
        order("goodsValue", "/goodsValue") { .decimal($0.goodsValue) }
        order("freight", "/freight") { .decimal($0.freight) }
        order("insurance", "/insurance") { .decimal($0.insurance) }
        order("discount", "/discount") { .decimal($0.discount) }
        order("note", "/note") { .optionalText($0.note) }

        order("buyer.name", "/buyer/name", mask: Mask.name) { .text($0.buyer.name) }
        order("buyer.idType", "/buyer/idType") { .text($0.buyer.idType) }
        order("buyer.idNumber", "/buyer/idNumber", mask: Mask.idNumber) { .text($0.buyer.idNumber) }
        order("buyer.phone", "/buyer/phone", mask: Mask.phone) { .text($0.buyer.phone) }
        order("buyer.registrationNo", "/buyer/registrationNo") { .text($0.buyer.registrationNo) }

        order("consignee.name", "/consignee/name", mask: Mask.name) { .text($0.consignee.name) }
        order("consignee.phone", "/consignee/phone", mask: Mask.phone) { .text($0.consignee.phone) }
        order("consignee.address", "/consignee/address", mask: Mask.address) { .text($0.consignee.address) }
        order("consignee.country", "/consignee/country") { .text($0.consignee.country) }
        order("consignee.district", "/consignee/district") { .optionalText($0.consignee.district) }

        order("payment.companyCode", "/payment/companyCode") { .text($0.payment.companyCode) }
        order("payment.companyName", "/payment/companyName") { .text($0.payment.companyName) }
        order("payment.transactionId", "/payment/transactionId") { .text($0.payment.transactionId) }
        order("payment.amount", "/payment/amount") { .decimal($0.payment.amount) }
        order("payment.payTime", "/payment/payTime") { .time($0.payment.payTime) }

        order("logistics.companyCode", "/logistics/companyCode") { .text($0.logistics.companyCode) }
        order("logistics.companyName", "/logistics/companyName") { .text($0.logistics.companyName) }
        order("logistics.waybillNo", "/logistics/waybillNo") { .text($0.logistics.waybillNo) }
        order("logistics.grossWeight", "/logistics/grossWeight") { .decimal($0.logistics.grossWeight) }
        order("logistics.netWeight", "/logistics/netWeight") { .decimal($0.logistics.netWeight) }
        order("logistics.packCount", "/logistics/packCount") { .decimal(Decimal($0.logistics.packCount)) }

        order("enterprises.ebpCode", "/enterprises/ebpCode") { .text($0.enterprises.ebpCode) }
        order("enterprises.ebpName", "/enterprises/ebpName") { .text($0.enterprises.ebpName) }
        order("enterprises.ebcCode", "/enterprises/ebcCode") { .text($0.enterprises.ebcCode) }
        order("enterprises.ebcName", "/enterprises/ebcName") { .text($0.enterprises.ebcName) }
        order("enterprises.agentCode", "/enterprises/agentCode") { .text($0.enterprises.agentCode) }
        order("enterprises.agentName", "/enterprises/agentName") { .text($0.enterprises.agentName) }
        order("enterprises.assureCode", "/enterprises/assureCode") { .text($0.enterprises.assureCode) }

        order("customs.customsCode", "/customs/customsCode") { .text($0.customs.customsCode) }
        order("customs.portCode", "/customs/portCode") { .text($0.customs.portCode) }
        order("customs.emsNo", "/customs/emsNo") { .optionalText($0.customs.emsNo) }
        order("customs.transportMode", "/customs/transportMode") { .text($0.customs.transportMode) }
        order("customs.transportNo", "/customs/transportNo") { .optionalText($0.customs.transportNo) }
        order("customs.billNo", "/customs/billNo") { .optionalText($0.customs.billNo) }
        order("customs.areaCode", "/customs/areaCode") { .optionalText($0.customs.areaCode) }

        item("sku") { .text($0.sku) }
        item("name") { .text($0.name) }
        item("model") { .text($0.model) }
        item("description") { .optionalText($0.description) }
        item("gcode") { .text($0.gcode) }
        item("barcode") { .optionalText($0.barcode) }
        item("originCountry") { .text($0.originCountry) }
        item("unit") { .text($0.unit) }
        item("qty") { .decimal($0.qty) }
        item("qty1") { .decimal($0.qty1) }
        item("unit1") { .text($0.unit1) }
        item("qty2") { .optionalDecimal($0.qty2) }
        item("unit2") { .optionalText($0.unit2) }
        item("unitPrice") { .decimal($0.unitPrice) }
        item("totalPrice") { .decimal($0.totalPrice) }
        paths["index"] = SourcePath(
            name: "index", needsItem: true, read: { $0.itemIndex.map { .decimal(Decimal($0)) } },
            pointer: { "/items/\($0.itemIndex ?? 0)" }, mask: nil
        )

        // The computed tax (YidanCore's CompositeTax), in RMB.
        other("tax.total", "tax") { .decimal($0.tax.total) }
        other("tax.dutiable", "tax") { .decimal($0.tax.dutiable) }
        other("tax.duty", "tax") { .decimal($0.tax.duty) }
        other("tax.vat", "tax") { .decimal($0.tax.vat) }
        other("tax.consumptionTax", "tax") { .decimal($0.tax.consumptionTax) }

        other("computed.taxTotal", "tax") { .decimal($0.computed.taxTotal) }
        other("computed.acturalPaid", "/goodsValue + /freight + tax - /discount") { .decimal($0.computed.acturalPaid) }
        other("computed.insuredFee", "/insurance") { .decimal($0.computed.insuredFee) }
        other("computed.goodsInfo", "/items") { .text($0.computed.goodsInfo) }
        paths["computed.departureCountry"] = SourcePath(
            name: "computed.departureCountry", needsItem: false, read: { .optionalText($0.computed.departureCountry) },
            pointer: { $0.computed.departureCountryPointer }, mask: nil
        )

        other("filing.guid", "guid") { .text($0.guid) }
        other("filing.appType", "appType") { .text($0.appType) }
        other("now", "now") { .time($0.now) }

        other("profile.copCode", "Mappings/profile.yaml: baseTransfer.copCode") { .text($0.profile.copCode) }
        other("profile.copName", "Mappings/profile.yaml: baseTransfer.copName") { .text($0.profile.copName) }
        other("profile.dxpMode", "Mappings/profile.yaml: baseTransfer.dxpMode") { .text($0.profile.dxpMode) }
        other("profile.dxpId", "Mappings/profile.yaml: baseTransfer.dxpId") { .text($0.profile.dxpId) }
        other("profile.note", "Mappings/profile.yaml: baseTransfer.note") { .optionalText($0.profile.note) }
        other("profile.areaName", "Mappings/profile.yaml: bondedArea.name") { .optionalText($0.profile.bondedAreaName) }
        // Paths of the tax and FX filings (AuthorityFilingPaths.swift).
        return paths.merging(SourcePath.authorityFilingPaths) { existing, _ in existing }
            .merging(SourcePath.exportFilingPaths) { existing, _ in existing }  // ExportFilingPaths.swift
            .merging(SourcePath.exportSummaryPaths) { existing, _ in existing }  // ExportSummaryFiling.swift
            .merging(SourcePath.orderChangePaths) { existing, _ in existing }  // OrderChangeFiling.swift
    }()
}
