import Foundation
import YidanCore

/// Writes a `NormalizedOrder` as canonical JSON: members in the order of
/// `NormalizedOrderJSON.Fields`, optional members only when set, amounts as
/// strings with at least two decimals (a string keeps the scale and never
/// invites a reader to use binary floating point), quantities and weights as
/// exact decimal strings, times in RFC 3339 with the offset they were given in.
enum OrderEncoder {
    static func document(_ order: NormalizedOrder) -> JSONValue {
        var root: [(key: String, value: JSONValue)] = [
            ("orderNo", .string(order.orderNo)),
            ("platform", .string(order.platform)),
            ("orderTime", .string(time(order.orderTime))),
            ("tradeMode", .string(order.tradeMode.rawValue)),
            ("currency", .string(order.currency)),
            ("goodsValue", amount(order.goodsValue)),
            ("freight", amount(order.freight)),
            ("insurance", amount(order.insurance)),
            ("discount", amount(order.discount)),
            ("buyer", .object(compact([
                ("name", .string(order.buyer.name)),
                // An export buyer without an identity number was given without both (OrderDecoder).
                ("idType", exportBuyerWithoutID(order) ? nil : .string(order.buyer.idType)),
                ("idNumber", exportBuyerWithoutID(order) ? nil : .string(order.buyer.idNumber)),
                ("phone", .string(order.buyer.phone)),
                ("registrationNo", .string(order.buyer.registrationNo)),
            ]))),
            ("consignee", .object(compact([
                ("name", .string(order.consignee.name)),
                ("phone", .string(order.consignee.phone)),
                ("address", .string(order.consignee.address)),
                ("country", .string(order.consignee.country)),
                ("district", order.consignee.district.map(JSONValue.string)),
            ]))),
            ("items", .array(order.items.map(item))),
            ("payment", .object([
                ("companyCode", .string(order.payment.companyCode)),
                ("companyName", .string(order.payment.companyName)),
                ("transactionId", .string(order.payment.transactionId)),
                ("amount", amount(order.payment.amount)),
                ("payTime", .string(time(order.payment.payTime))),
            ])),
            ("logistics", .object([
                ("companyCode", .string(order.logistics.companyCode)),
                ("companyName", .string(order.logistics.companyName)),
                ("waybillNo", .string(order.logistics.waybillNo)),
                ("grossWeight", quantity(order.logistics.grossWeight)),
                ("netWeight", quantity(order.logistics.netWeight)),
                ("packCount", .number(String(order.logistics.packCount))),
            ])),
            ("enterprises", .object([
                ("ebpCode", .string(order.enterprises.ebpCode)),
                ("ebpName", .string(order.enterprises.ebpName)),
                ("ebcCode", .string(order.enterprises.ebcCode)),
                ("ebcName", .string(order.enterprises.ebcName)),
                ("agentCode", .string(order.enterprises.agentCode)),
                ("agentName", .string(order.enterprises.agentName)),
                ("assureCode", .string(order.enterprises.assureCode)),
            ])),
            ("customs", .object(compact([
                ("customsCode", .string(order.customs.customsCode)),
                ("portCode", .string(order.customs.portCode)),
                ("emsNo", order.customs.emsNo.map(JSONValue.string)),
                ("transportMode", .string(order.customs.transportMode)),
                ("transportNo", order.customs.transportNo.map(JSONValue.string)),
                ("billNo", order.customs.billNo.map(JSONValue.string)),
                ("areaCode", order.customs.areaCode.map(JSONValue.string)),
            ]))),
        ]
        if let note = order.note { root.append(("note", .string(note))) }
        if let export = order.export { root.append(("export", exportDetails(export))) }
        return .object(root)
    }

    private static func exportBuyerWithoutID(_ order: NormalizedOrder) -> Bool {
        order.export != nil && order.buyer.idType == "2" && order.buyer.idNumber.isEmpty
    }

    private static func exportDetails(_ export: ExportDetails) -> JSONValue {
        .object(compact([
            ("statisticsFlag", .string(export.statisticsFlag.rawValue)),
            ("exportDate", .string(time(export.exportDate))),
            ("ownerCode", .string(export.ownerCode)),
            ("ownerName", .string(export.ownerName)),
            ("arrivalCountry", .string(export.arrivalCountry)),
            ("portOfDestination", .string(export.portOfDestination)),
            ("wrapType", .string(export.wrapType)),
            ("transportName", export.transportName.map(JSONValue.string)),
            ("totalPackageNo", export.totalPackageNo.map(JSONValue.string)),
            ("iacCode", export.iacCode.map(JSONValue.string)),
            ("iacName", export.iacName.map(JSONValue.string)),
            ("ebcTelephone", export.ebcTelephone.map(JSONValue.string)),
            ("receivedTime", export.receivedTime.map { .string(time($0)) }),
        ]))
    }

    private static func item(_ item: OrderItem) -> JSONValue {
        .object(compact([
            ("sku", .string(item.sku)),
            ("name", .string(item.name)),
            ("model", .string(item.model)),
            ("description", item.description.map(JSONValue.string)),
            ("gcode", .string(item.gcode)),
            ("barcode", item.barcode.map(JSONValue.string)),
            ("originCountry", .string(item.originCountry)),
            ("unit", .string(item.unit)),
            ("qty", quantity(item.qty)),
            ("qty1", quantity(item.qty1)),
            ("unit1", .string(item.unit1)),
            ("qty2", item.qty2.map(quantity)),
            ("unit2", item.unit2.map(JSONValue.string)),
            ("unitPrice", amount(item.unitPrice)),
            ("totalPrice", amount(item.totalPrice)),
        ]))
    }

    private static func compact(_ members: [(String, JSONValue?)]) -> [(key: String, value: JSONValue)] {
        members.compactMap { key, value in value.map { (key: key, value: $0) } }
    }

    private static func amount(_ value: Decimal) -> JSONValue { .string(Money.format(value, minScale: 2)) }
    private static func quantity(_ value: Decimal) -> JSONValue { .string(Money.format(value)) }

    /// RFC 3339 with the stated offset. Fractional seconds are written to the
    /// millisecond or microsecond, whichever is exact: `Date` holds a binary
    /// double, and those digits read back to the very same instant.
    private static func time(_ time: ZonedDateTime) -> String {
        let plain = time.iso8601
        let seconds = time.instant.timeIntervalSince1970
        let micros = min(999_999, Int(((seconds - seconds.rounded(.down)) * 1_000_000).rounded()))
        guard micros != 0 else { return plain }
        let digits = micros % 1000 == 0
            ? String(String(micros / 1000 + 1000).dropFirst())
            : String(String(micros + 1_000_000).dropFirst())
        return String(plain.prefix(19)) + "." + digits + String(plain.dropFirst(19))
    }
}
