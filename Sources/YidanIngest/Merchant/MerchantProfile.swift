public import Foundation
public import YidanCore
import Yams

/// What the merchant files the same way for every order: enterprise codes,
/// customs office and port, trade and transport mode, the logistics and
/// payment companies. A YAML file the merchant keeps (`Fixtures/merchant/profile.yaml`
/// is the demo one); its keys are the normalized order's field paths, so an
/// error or a provenance line names the key to edit (`enterprises.ebpCode`).
public struct MerchantProfile: Sendable, Equatable {
    public var enterprises: Enterprises
    public var tradeMode: TradeMode
    /// Everything of `customs.*` (customs office, port, transport, emsNo, areaCode).
    public var customs: CustomsCodes
    public var logisticsCompanyCode: String
    public var logisticsCompanyName: String
    /// Kilograms of packaging added to the goods' net weight for the gross weight (0 when not given).
    public var packagingWeight: Decimal
    /// Parcels per order (1 when not given).
    public var packCount: Int
    public var paymentCompanyCode: String
    public var paymentCompanyName: String
    /// The buyer's identity document type when neither platform nor identities file says (1 = ID card).
    public var defaultBuyerIdType: String
    /// Six-digit district code for consignees whose order carries none.
    public var defaultConsigneeDistrict: String?
    /// The file it was read from, as errors and hints name it.
    public internal(set) var file = "profile.yaml"
    /// The keys the profile file sets (the rest took their documented default).
    var givenKeys: Set<String> = []

    public init(
        enterprises: Enterprises, tradeMode: TradeMode, customs: CustomsCodes,
        logisticsCompanyCode: String, logisticsCompanyName: String, packagingWeight: Decimal = 0, packCount: Int = 1,
        paymentCompanyCode: String, paymentCompanyName: String, defaultBuyerIdType: String = "1",
        defaultConsigneeDistrict: String? = nil
    ) {
        self.enterprises = enterprises
        self.tradeMode = tradeMode
        self.customs = customs
        self.logisticsCompanyCode = logisticsCompanyCode
        self.logisticsCompanyName = logisticsCompanyName
        self.packagingWeight = packagingWeight
        self.packCount = packCount
        self.paymentCompanyCode = paymentCompanyCode
        self.paymentCompanyName = paymentCompanyName
        self.defaultBuyerIdType = defaultBuyerIdType
        self.defaultConsigneeDistrict = defaultConsigneeDistrict
        self.givenKeys = Set(Self.schema.map(\.key))
    }

    /// The keys a profile may hold, with the rule of each, in file order.
    static let schema: [(key: String, rule: TextRule, required: Bool)] = [
        ("enterprises.ebpCode", OrderRules.enterpriseCode, true), ("enterprises.ebpName", OrderRules.name100, true),
        ("enterprises.ebcCode", OrderRules.enterpriseCode, true), ("enterprises.ebcName", OrderRules.name100, true),
        ("enterprises.agentCode", OrderRules.enterpriseCode, true), ("enterprises.agentName", OrderRules.name100, true),
        ("enterprises.assureCode", OrderRules.enterpriseCode, true),
        ("customs.tradeMode", .text(max: 4), true), ("customs.customsCode", OrderRules.customsOffice, true),
        ("customs.portCode", OrderRules.customsOffice, true), ("customs.transportMode", OrderRules.transportMode, true),
        ("customs.transportNo", .text(max: 100), false), ("customs.billNo", .text(max: 37), false),
        ("customs.emsNo", OrderRules.emsNo, false), ("customs.areaCode", OrderRules.areaCode, false),
        ("logistics.companyCode", OrderRules.enterpriseCode, true), ("logistics.companyName", OrderRules.name100, true),
        ("logistics.packagingWeight", .text(max: 20), false), ("logistics.packCount", .text(max: 9), false),
        ("payment.companyCode", OrderRules.enterpriseCode, true), ("payment.companyName", OrderRules.name100, true),
        ("buyer.idType", .text(max: 1), false), ("consignee.district", OrderRules.district, false),
    ]

    /// Parses and validates a profile; every problem is reported together,
    /// naming the file, line, key, value and rule.
    public init(yaml text: String, file: String = "profile.yaml") throws(YidanError) {
        var problems = MerchantFileProblems(file: file)
        let root: Node.Mapping
        do {
            guard let mapping = try Yams.compose(yaml: text)?.mapping else {
                throw YidanError(.configuration, "\(file) must be a YAML mapping with sections enterprises, customs, logistics, payment")
            }
            root = mapping
        } catch let error as YidanError {
            throw error
        } catch {
            throw YidanError(.configuration, "\(file) is not valid YAML", cause: error)
        }
        let allowed = Set(Self.schema.map(\.key))
        var values: [String: (text: String, line: Int)] = [:]
        for (sectionKey, sectionNode) in root {
            let section = sectionKey.string ?? ""
            guard let members = sectionNode.mapping else {
                problems.report(line: sectionKey.mark?.line, "key \(section)", nil, "must be a mapping of keys (sections: buyer, consignee, customs, enterprises, logistics, payment)")
                continue
            }
            for (key, value) in members {
                let path = section + "." + (key.string ?? "")
                guard allowed.contains(path) else {
                    problems.report(line: key.mark?.line, "key \(path)", nil, "is not a profile key (keys: \(Self.schema.map(\.key).joined(separator: ", ")))")
                    continue
                }
                guard let scalar = value.scalar else {
                    problems.report(line: key.mark?.line, "key \(path)", nil, "must be a single value (quote codes: \"0123\")")
                    continue
                }
                values[path] = (scalar.string, value.mark?.line ?? key.mark?.line ?? 0)
            }
        }
        for entry in Self.schema {
            guard let found = values[entry.key] else {
                if entry.required { problems.report(line: nil, "key \(entry.key)", nil, "is required") }
                continue
            }
            problems.check(found.text, entry.rule, line: found.line, "key \(entry.key)")
        }
        func given(_ key: String) -> String { values[key]?.text ?? "" }
        func optional(_ key: String) -> String? { values[key].map(\.text) }
        let tradeMode = TradeMode(rawValue: given("customs.tradeMode"))
        if tradeMode == nil, let found = values["customs.tradeMode"] {
            problems.report(line: found.line, "key customs.tradeMode", found.text, "must be 9610 (direct purchase) or 1210 (bonded)")
        }
        if tradeMode == .bonded, values["customs.emsNo"] == nil {
            problems.report(line: values["customs.tradeMode"]?.line, "key customs.emsNo", nil, "is required for trade mode 1210 (bonded import)")
        }
        var packagingWeight = Decimal(0)
        if let found = values["logistics.packagingWeight"] {
            if let weight = Money.parse(found.text), weight >= 0 {
                packagingWeight = weight
            } else {
                problems.report(line: found.line, "key logistics.packagingWeight", found.text, "must be a decimal number of kilograms such as 0.15")
            }
        }
        var packCount = 1
        if let found = values["logistics.packCount"] {
            if let count = Int(found.text), count >= 1 {
                packCount = count
            } else {
                problems.report(line: found.line, "key logistics.packCount", found.text, "must be a whole number from 1")
            }
        }
        let idType = optional("buyer.idType") ?? "1"
        if idType != "1", idType != "2" {
            problems.report(line: values["buyer.idType"]?.line, "key buyer.idType", idType, "must be 1 (identity card) or 2 (other)")
        }
        try problems.throwIfAny()
        self.enterprises = Enterprises(
            ebpCode: given("enterprises.ebpCode"), ebpName: given("enterprises.ebpName"),
            ebcCode: given("enterprises.ebcCode"), ebcName: given("enterprises.ebcName"),
            agentCode: given("enterprises.agentCode"), agentName: given("enterprises.agentName"),
            assureCode: given("enterprises.assureCode")
        )
        self.tradeMode = tradeMode ?? .directPurchase
        self.customs = CustomsCodes(
            customsCode: given("customs.customsCode"), portCode: given("customs.portCode"), emsNo: optional("customs.emsNo"),
            transportMode: given("customs.transportMode"), transportNo: optional("customs.transportNo"),
            billNo: optional("customs.billNo"), areaCode: optional("customs.areaCode")
        )
        self.logisticsCompanyCode = given("logistics.companyCode")
        self.logisticsCompanyName = given("logistics.companyName")
        self.packagingWeight = packagingWeight
        self.packCount = packCount
        self.paymentCompanyCode = given("payment.companyCode")
        self.paymentCompanyName = given("payment.companyName")
        self.defaultBuyerIdType = idType
        self.defaultConsigneeDistrict = optional("consignee.district")
        self.givenKeys = Set(values.keys)
        self.file = file
    }

    public init(contentsOf url: URL) throws(YidanError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read the merchant profile \(url.lastPathComponent)", cause: error)
        }
        try self.init(yaml: text, file: url.lastPathComponent)
    }
}
