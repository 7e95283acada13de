public import Foundation

/// One merchant order after ingest: the single declaration from which every
/// filing (CEB311/411/511/621 today; tax and FX later) is derived.
///
/// Codes in here are the merchant's everyday codes (ISO 4217 currency, ISO 3166
/// alpha-2 or alpha-3 country, unit names or UN/ECE Rec 20 codes); the mapping
/// stage turns them into customs codes through the tables in `Mappings/tables`.
/// Money is always `Decimal`; times always carry their zone.
public struct NormalizedOrder: Sendable, Equatable, Hashable {
    public var orderNo: String
    public var platform: String
    public var orderTime: ZonedDateTime
    public var tradeMode: TradeMode
    /// ISO 4217 code of every amount in the order.
    public var currency: String
    /// Sum of the items' totals, before discount (CEB311 `goodsValue`).
    public var goodsValue: Decimal
    public var freight: Decimal
    public var insurance: Decimal
    /// Non-cash deductions (coupons, points) granted by the platform or shop.
    public var discount: Decimal
    public var buyer: Buyer
    public var consignee: Consignee
    public var items: [OrderItem]
    public var payment: Payment
    public var logistics: Logistics
    public var enterprises: Enterprises
    public var customs: CustomsCodes
    public var note: String?
    /// Set for an export order (nil: an import). Switches the trade mode's
    /// meaning, the buyer and consignee rules and the messages filed (CEB303/403/505/603).
    public var export: ExportDetails?

    public init(
        orderNo: String, platform: String, orderTime: ZonedDateTime, tradeMode: TradeMode,
        currency: String, goodsValue: Decimal, freight: Decimal, insurance: Decimal, discount: Decimal,
        buyer: Buyer, consignee: Consignee, items: [OrderItem], payment: Payment,
        logistics: Logistics, enterprises: Enterprises, customs: CustomsCodes, note: String? = nil,
        export: ExportDetails? = nil
    ) {
        self.orderNo = orderNo
        self.platform = platform
        self.orderTime = orderTime
        self.tradeMode = tradeMode
        self.currency = currency
        self.goodsValue = goodsValue
        self.freight = freight
        self.insurance = insurance
        self.discount = discount
        self.buyer = buyer
        self.consignee = consignee
        self.items = items
        self.payment = payment
        self.logistics = logistics
        self.enterprises = enterprises
        self.customs = customs
        self.note = note
        self.export = export
    }
}

/// Customs supervision mode (贸易方式) of a cross-border e-commerce order.
/// 9610 and 1210 exist both ways: `NormalizedOrder.export` says which.
public enum TradeMode: String, Sendable, Hashable, CaseIterable {
    /// 9610: direct purchase import (goods shipped per parcel from abroad), or B2C direct export.
    case directPurchase = "9610"
    /// 1210: bonded import (goods held in a bonded zone; needs an `emsNo`), or bonded export.
    case bonded = "1210"
    /// 9710: B2B direct export (export only).
    case b2bExport = "9710"
    /// 9810: export to an overseas warehouse (export only).
    case overseasWarehouse = "9810"
}

/// The person who bought and pays; the tax payer of the cross-border retail tax.
public struct Buyer: Sendable, Equatable, Hashable {
    public var name: String
    /// CEB `buyerIdType`: "1" identity card (the only type customs accepts for tax), "2" other.
    public var idType: String
    public var idNumber: String
    public var phone: String
    /// The buyer's registration number (account) on the e-commerce platform.
    public var registrationNo: String

    public init(name: String, idType: String, idNumber: String, phone: String, registrationNo: String) {
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.phone = phone
        self.registrationNo = registrationNo
    }
}

public struct Consignee: Sendable, Equatable, Hashable {
    public var name: String
    public var phone: String
    public var address: String
    /// ISO 3166 country code of the delivery address (CN for imports).
    public var country: String
    /// Six-digit administrative division code (行政区划代码) of the address.
    public var district: String?

    public init(name: String, phone: String, address: String, country: String, district: String?) {
        self.name = name
        self.phone = phone
        self.address = address
        self.country = country
        self.district = district
    }
}

public struct OrderItem: Sendable, Equatable, Hashable {
    /// The merchant's SKU, filed as `itemNo`.
    public var sku: String
    public var name: String
    /// Specification and model (规格型号), filed as `gmodel`.
    public var model: String
    public var description: String?
    /// Ten-digit HS code (商品编码), filed as `gcode`.
    public var gcode: String
    public var barcode: String?
    /// ISO 3166 code of the country of origin.
    public var originCountry: String
    /// The declared unit (a name such as "piece" or "件", a Rec 20 code or a customs code).
    public var unit: String
    public var qty: Decimal
    /// First legal quantity and its unit (法定计量单位), as the HS code requires.
    public var qty1: Decimal
    public var unit1: String
    /// Second legal quantity and unit, when the HS code has one.
    public var qty2: Decimal?
    public var unit2: String?
    public var unitPrice: Decimal
    public var totalPrice: Decimal

    public init(
        sku: String, name: String, model: String, description: String? = nil, gcode: String,
        barcode: String? = nil, originCountry: String, unit: String, qty: Decimal,
        qty1: Decimal, unit1: String, qty2: Decimal? = nil, unit2: String? = nil,
        unitPrice: Decimal, totalPrice: Decimal
    ) {
        self.sku = sku
        self.name = name
        self.model = model
        self.description = description
        self.gcode = gcode
        self.barcode = barcode
        self.originCountry = originCountry
        self.unit = unit
        self.qty = qty
        self.qty1 = qty1
        self.unit1 = unit1
        self.qty2 = qty2
        self.unit2 = unit2
        self.unitPrice = unitPrice
        self.totalPrice = totalPrice
    }
}

public struct Payment: Sendable, Equatable, Hashable {
    /// Customs registration code (10 characters) of the payment company.
    public var companyCode: String
    public var companyName: String
    public var transactionId: String
    /// What the buyer actually paid; must equal goodsValue + freight + tax − discount.
    public var amount: Decimal
    public var payTime: ZonedDateTime

    public init(companyCode: String, companyName: String, transactionId: String, amount: Decimal, payTime: ZonedDateTime) {
        self.companyCode = companyCode
        self.companyName = companyName
        self.transactionId = transactionId
        self.amount = amount
        self.payTime = payTime
    }
}

public struct Logistics: Sendable, Equatable, Hashable {
    /// Customs registration code of the logistics company.
    public var companyCode: String
    public var companyName: String
    public var waybillNo: String
    /// Gross weight in kilograms.
    public var grossWeight: Decimal
    /// Net weight in kilograms.
    public var netWeight: Decimal
    public var packCount: Int

    public init(companyCode: String, companyName: String, waybillNo: String, grossWeight: Decimal, netWeight: Decimal, packCount: Int) {
        self.companyCode = companyCode
        self.companyName = companyName
        self.waybillNo = waybillNo
        self.grossWeight = grossWeight
        self.netWeight = netWeight
        self.packCount = packCount
    }
}

/// Customs registration codes (10 characters) and names of the enterprises involved.
public struct Enterprises: Sendable, Equatable, Hashable {
    /// E-commerce platform (电商平台).
    public var ebpCode: String
    public var ebpName: String
    /// E-commerce enterprise, the seller (电商企业).
    public var ebcCode: String
    public var ebcName: String
    /// Declaring agent (申报企业) of the inventory.
    public var agentCode: String
    public var agentName: String
    /// Guarantor from whose deposit the tax is deducted (担保企业).
    public var assureCode: String

    public init(ebpCode: String, ebpName: String, ebcCode: String, ebcName: String, agentCode: String, agentName: String, assureCode: String) {
        self.ebpCode = ebpCode
        self.ebpName = ebpName
        self.ebcCode = ebcCode
        self.ebcName = ebcName
        self.agentCode = agentCode
        self.agentName = agentName
        self.assureCode = assureCode
    }
}

/// Customs office and port codes (4-digit 关区代码) and transport facts.
public struct CustomsCodes: Sendable, Equatable, Hashable {
    /// The customs office that supervises the declaration (申报地海关).
    public var customsCode: String
    /// The port of entry (口岸海关).
    public var portCode: String
    /// Bonded account number (账册编号), required for trade mode 1210.
    public var emsNo: String?
    /// Transport mode code (运输方式), e.g. "4" road, "5" air, "2" sea, "Y" postal? from the table.
    public var transportMode: String
    /// Flight, voyage or vehicle number.
    public var transportNo: String?
    /// Bill of lading / master airway bill.
    public var billNo: String?
    /// Code of the area (区内企业) for bonded imports, when any.
    public var areaCode: String?

    public init(customsCode: String, portCode: String, emsNo: String? = nil, transportMode: String, transportNo: String? = nil, billNo: String? = nil, areaCode: String? = nil) {
        self.customsCode = customsCode
        self.portCode = portCode
        self.emsNo = emsNo
        self.transportMode = transportMode
        self.transportNo = transportNo
        self.billNo = billNo
        self.areaCode = areaCode
    }
}
