public import Foundation
public import YidanCore

/// The project's own order format (documented by
/// `Mappings/schemas/normalized-order.schema.json`) to and from `NormalizedOrder`.
///
/// Decoding reports every problem at once as `FieldIssue`s with RFC 6901 JSON
/// pointers; personal values in issues are masked. Unknown members are refused
/// at every level, with the allowed names in the rule, so a misspelt optional
/// field cannot be dropped silently. `payment.amount` is only read here: it
/// depends on the tax, which a later stage computes and checks.
public enum NormalizedOrderJSON {
    /// Parser limits for order documents: 1 MiB and 64 levels are far above
    /// any real order (at most 99 items, four levels deep).
    public static let parser = JSONParser(maxDepth: 64, maxBytes: 1 << 20)

    public static func decode(_ data: Data) throws(ValidationFailure) -> NormalizedOrder {
        let document: JSONValue
        do {
            document = try parser.parse(data)
        } catch {
            throw ValidationFailure(issues: [FieldIssue(pointer: "", value: nil, rule: "is not valid JSON: \(error)")])
        }
        return try decode(document)
    }

    public static func decode(_ document: JSONValue) throws(ValidationFailure) -> NormalizedOrder {
        let reader = OrderFieldReader()
        let order = OrderDecoder(reader: reader).order(document)
        guard reader.issues.isEmpty, let order else {
            throw ValidationFailure(issues: reader.issues)
        }
        return order
    }

    /// Canonical JSON: members in a fixed order, amounts as strings with at
    /// least two decimals, quantities as strings as exact as the value, times
    /// in RFC 3339 with their stated offset. `decode(encode(o)) == o`.
    public static func encode(_ order: NormalizedOrder) -> Data {
        Data(OrderEncoder.document(order).serialized())
    }

    /// The member names at each level, in canonical order.
    enum Fields {
        static let order = [
            "orderNo", "platform", "orderTime", "tradeMode", "currency", "goodsValue", "freight", "insurance",
            "discount", "buyer", "consignee", "items", "payment", "logistics", "enterprises", "customs", "note", "export",
        ]
        static let buyer = ["name", "idType", "idNumber", "phone", "registrationNo"]
        static let consignee = ["name", "phone", "address", "country", "district"]
        static let item = [
            "sku", "name", "model", "description", "gcode", "barcode", "originCountry", "unit", "qty",
            "qty1", "unit1", "qty2", "unit2", "unitPrice", "totalPrice",
        ]
        static let payment = ["companyCode", "companyName", "transactionId", "amount", "payTime"]
        static let logistics = ["companyCode", "companyName", "waybillNo", "grossWeight", "netWeight", "packCount"]
        static let enterprises = ["ebpCode", "ebpName", "ebcCode", "ebcName", "agentCode", "agentName", "assureCode"]
        static let customs = ["customsCode", "portCode", "emsNo", "transportMode", "transportNo", "billNo", "areaCode"]
        /// `ExportDetails`: present only on export orders.
        static let export = [
            "statisticsFlag", "exportDate", "ownerCode", "ownerName", "arrivalCountry", "portOfDestination",
            "wrapType", "transportName", "totalPackageNo", "iacCode", "iacName", "ebcTelephone", "receivedTime",
        ]
    }

    /// CEB OrderList/InventoryList allow at most 99 items per order.
    public static let maxItems = 99
    public static let defaultPlatform = "yidan"
}
