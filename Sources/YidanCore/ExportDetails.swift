import Foundation

/// What an export order needs beyond the fields it shares with an import:
/// the facts of the CEB603 export inventory (and the CEB403/505 extras) that
/// an import never carries. An order with `export != nil` is an export; its
/// trade mode then means the export flavour (9610 B2C direct export, 1210
/// bonded export, 9710 B2B direct export, 9810 export to an overseas warehouse).
///
/// Codes follow the rest of the order: countries ISO 3166, the others are
/// customs codes written as customs wants them (see `Mappings/tables`).
public struct ExportDetails: Sendable, Equatable, Hashable {
    /// CEB603 `statisticsFlag` (申报业务类型).
    public enum StatisticsFlag: String, Sendable, Hashable, CaseIterable {
        /// A 简化申报: no licence, no export duty, no VAT rebate; HS code declared to its 4-digit heading.
        case simplified = "A"
        /// B 汇总申报: summarised later into a customs declaration (CEB701 → CEB792 `entryId`).
        case summary = "B"
    }

    public var statisticsFlag: StatisticsFlag
    /// The day the goods leave China through the exit port (CEB603 `ieDate`).
    public var exportDate: ZonedDateTime
    /// The producer or seller (生产销售企业): customs code or social credit code, "NO" when not registered.
    public var ownerCode: String
    public var ownerName: String
    /// ISO 3166 code of the country the carrier takes the goods to directly (运抵国, CEB603 `country`).
    /// The items' destination (目的国) is the consignee's country.
    public var arrivalCountry: String
    /// Customs code of the final port of destination (指运港, CEB603 `POD`, 3-4 characters).
    public var portOfDestination: String
    /// One-digit customs packing type (包装种类), see `Mappings/tables/wrap-type.csv`.
    public var wrapType: String
    /// Name or number of the means of transport (运输工具名称, CEB603 `trafName`).
    public var transportName: String?
    /// Pallet or mail-bag number the parcel travels in (总包号).
    public var totalPackageNo: String?
    /// The warehouse enterprise inside the special customs area; required for bonded (1210) exports.
    public var iacCode: String?
    public var iacName: String?
    /// The merchant's telephone, for the waybill's consignor (CEB505 `ebcTelephone`).
    public var ebcTelephone: String?
    /// When the money reached the merchant (CEB403 `accountingDate`); nil means the payment time.
    public var receivedTime: ZonedDateTime?

    public init(
        statisticsFlag: StatisticsFlag, exportDate: ZonedDateTime, ownerCode: String, ownerName: String,
        arrivalCountry: String, portOfDestination: String, wrapType: String, transportName: String? = nil,
        totalPackageNo: String? = nil, iacCode: String? = nil, iacName: String? = nil,
        ebcTelephone: String? = nil, receivedTime: ZonedDateTime? = nil
    ) {
        self.statisticsFlag = statisticsFlag
        self.exportDate = exportDate
        self.ownerCode = ownerCode
        self.ownerName = ownerName
        self.arrivalCountry = arrivalCountry
        self.portOfDestination = portOfDestination
        self.wrapType = wrapType
        self.transportName = transportName
        self.totalPackageNo = totalPackageNo
        self.iacCode = iacCode
        self.iacName = iacName
        self.ebcTelephone = ebcTelephone
        self.receivedTime = receivedTime
    }
}

extension TradeMode {
    /// Modes that exist only for exports (an order in one of them must carry `export`).
    public var isExportOnly: Bool { self == .b2bExport || self == .overseasWarehouse }

    /// CEB303 `orderType`: E B2C export order, B B2B export order, W overseas-warehouse booking (订仓单).
    public var exportOrderType: String {
        switch self {
        case .directPurchase, .bonded: "E"
        case .b2bExport: "B"
        case .overseasWarehouse: "W"
        }
    }
}

extension NormalizedOrder {
    /// True when the order leaves China (`export` is set).
    public var isExport: Bool { export != nil }
}

extension OrderTax {
    /// Exports carry no cross-border retail tax: every amount zero, nothing counted
    /// against a buyer's annual allowance. Used to map export orders.
    public static let none = OrderTax(
        dutiable: 0, duty: 0, vat: 0, consumptionTax: 0, total: 0, fullRate: false, items: [], allowanceUse: 0
    )
}
