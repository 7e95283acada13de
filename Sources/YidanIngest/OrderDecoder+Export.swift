import Foundation
import YidanCore

extension OrderDecoder {
    /// Reads `/export` (`ExportDetails`), with the rules only exports have.
    /// Returns nil when anything is wrong (the reader holds the issues).
    func export(_ root: ObjectView, tradeMode: TradeMode?) -> ExportDetails? {
        guard let object = reader.object(root.value("export"), at: "/export", allowed: Fields.export) else { return nil }
        var flag: ExportDetails.StatisticsFlag?
        if let text = reader.string(object, "statisticsFlag", .text(max: 1)) {
            flag = ExportDetails.StatisticsFlag(rawValue: text)
            if flag == nil { reader.report("/export/statisticsFlag", text, "must be A (simplified) or B (summary declaration)") }
        }
        let exportDate = reader.time(object, "exportDate")
        let ownerCode = reader.string(object, "ownerCode", ExportRules.ownerCode)
        let ownerName = reader.string(object, "ownerName", OrderRules.name100)
        let arrivalCountry = reader.string(object, "arrivalCountry", OrderRules.country)
        let portOfDestination = reader.string(object, "portOfDestination", ExportRules.portOfDestination)
        let wrapType = reader.string(object, "wrapType", ExportRules.wrapType)
        let transportName = reader.optionalString(object, "transportName", .text(max: 100))
        let totalPackageNo = reader.optionalString(object, "totalPackageNo", .text(max: 37))
        let iacCode = reader.optionalString(object, "iacCode", OrderRules.enterpriseCode)
        let iacName = reader.optionalString(object, "iacName", OrderRules.name100)
        let ebcTelephone = reader.optionalString(object, "ebcTelephone", OrderRules.consigneePhone)
        let receivedTime = object.value("receivedTime") == nil ? nil : reader.time(object, "receivedTime")
        // A bonded (special-area) export names the warehouse enterprise inside the area.
        if tradeMode == .bonded {
            if iacCode == nil, object.value("iacCode") == nil { reader.report("/export/iacCode", nil, "is required for tradeMode 1210 (bonded export)") }
            if iacName == nil, object.value("iacName") == nil { reader.report("/export/iacName", nil, "is required for tradeMode 1210 (bonded export)") }
        }
        guard let flag, let exportDate, let ownerCode, let ownerName, let arrivalCountry, let portOfDestination, let wrapType,
              object.value("receivedTime") == nil || receivedTime != nil
        else { return nil }
        return ExportDetails(
            statisticsFlag: flag, exportDate: exportDate, ownerCode: ownerCode, ownerName: ownerName,
            arrivalCountry: arrivalCountry, portOfDestination: portOfDestination, wrapType: wrapType,
            transportName: transportName, totalPackageNo: totalPackageNo, iacCode: iacCode, iacName: iacName,
            ebcTelephone: ebcTelephone, receivedTime: receivedTime
        )
    }
}

/// Field rules only export orders have.
enum ExportRules {
    /// Customs code (10), social credit code (18), or "NO" when the producer is not registered.
    static let ownerCode = TextRule.code(length: 2...18, rule: "must be 2-18 characters of [0-9A-Z] (NO when not registered)", ASCIIClass.upperAlphanumeric)
    /// CEB603 POD: the customs code of the port, 3-4 characters.
    static let portOfDestination = TextRule.code(length: 3...4, rule: "must be 3-4 characters of [0-9A-Z]", ASCIIClass.upperAlphanumeric)
    /// CEB603 wrapType: one digit (Mappings/tables/wrap-type.csv).
    static let wrapType = TextRule.code(length: 1...1, rule: "must be 1 digit (customs packing type)", ASCIIClass.digit)
}
