public import Foundation
public import YidanCore

/// One row of the identities side file: what the merchant knows about one
/// order that the platform payload does not carry.
public struct BuyerIdentity: Sendable, Equatable {
    public var orderNo: String
    /// Column → non-empty value (`idType`, `idNumber`, `realName`, `phone`, `waybillNo`, …).
    public var values: [String: String]
    /// The line of the file it was read from (0 when built in code).
    public var line: Int

    public init(orderNo: String, values: [String: String], line: Int = 0) {
        self.orderNo = orderNo
        self.values = values.filter { !$0.value.isEmpty }
        self.line = line
    }

    public subscript(column: String) -> String? { values[column] }
}

/// The side file keyed by order number (`identities.csv`): buyer identity for
/// customs (ID type and number, real name, phone) and, optionally, what only
/// the merchant knows: `waybillNo` (the parcel's tracking number when the
/// platform order has none yet), `transactionId`, and the China delivery
/// address for forwarded parcels (`consignee*`; see `Mappings/platforms/README.md`).
/// A non-empty cell wins over the platform's value; empty cells leave it.
public struct BuyerIdentities: Sendable, Equatable {
    public static let columns = [
        "orderNo", "idType", "idNumber", "realName", "phone", "waybillNo", "transactionId",
        "consigneeName", "consigneePhone", "consigneeAddress", "consigneeCountry", "consigneeDistrict",
    ]
    /// What each column holds: the rule, and how a value is shown in an error (personal data masked).
    static let rules: [String: (rule: TextRule, shown: Shown)] = [
        "orderNo": (OrderRules.orderNo, .plain),
        "realName": (.text(max: 60), .masked(Mask.name)),
        "phone": (OrderRules.buyerPhone, .masked(Mask.phone)),
        "waybillNo": (OrderRules.waybillNo, .plain),
        "transactionId": (OrderRules.transactionId, .plain),
        "consigneeName": (.text(max: 100), .masked(Mask.name)),
        "consigneePhone": (OrderRules.consigneePhone, .masked(Mask.phone)),
        "consigneeAddress": (.text(max: 200), .masked(Mask.address)),
        "consigneeCountry": (OrderRules.country, .plain),
        "consigneeDistrict": (OrderRules.district, .plain),
    ]

    public let file: String
    private var byOrder: [String: BuyerIdentity]

    public static let empty = BuyerIdentities(file: "identities.csv", rows: [:])

    private init(file: String, rows: [String: BuyerIdentity]) {
        self.file = file
        self.byOrder = rows
    }

    public init(_ identities: [BuyerIdentity], file: String = "identities.csv") {
        self.file = file
        self.byOrder = Dictionary(identities.map { ($0.orderNo, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Parses and validates the CSV. Every problem is reported together with
    /// file, line, column, the value (masked when personal) and the rule.
    public init(csv text: String, file: String = "identities.csv") throws(YidanError) {
        let table = try CSVTable(csv: text, name: file, comments: .anywhere)
        var problems = MerchantFileProblems(file: file)
        if table.column(named: "orderNo") == nil {
            problems.report(line: table.headerLine, "header", nil, "has no column orderNo (the key of every row)")
        }
        for column in table.header where !Self.columns.contains(column) {
            problems.report(line: table.headerLine, "header", column, "is not an identities column (columns: \(Self.columns.joined(separator: ", ")))")
        }
        try problems.throwIfAny()
        var rows: [String: BuyerIdentity] = [:]
        for record in table.records {
            var values: [String: String] = [:]
            for (index, column) in table.header.enumerated() {
                let value = record.fields[index].trimmingCharacters(in: .whitespaces)
                if !value.isEmpty { values[column] = value }
            }
            let line = record.line
            for (column, value) in values {
                if let entry = Self.rules[column] {
                    problems.check(value, entry.rule, line: line, "column \(column)", shown: entry.shown)
                }
            }
            if let type = values["idType"], type != "1", type != "2" {
                problems.report(line: line, "column idType", type, "must be 1 (identity card) or 2 (other)")
            }
            if let number = values["idNumber"] {
                let rule = values["idType"] == "2" ? OrderRules.otherIDNumber : OrderRules.mainlandIDNumber
                problems.check(number, rule, line: line, "column idNumber", shown: .masked(Mask.idNumber))
            }
            guard let orderNo = values["orderNo"] else {
                problems.report(line: line, "column orderNo", nil, "is required")
                continue
            }
            if let earlier = rows[orderNo] {
                problems.report(line: line, "column orderNo", orderNo, "repeats the order of line \(earlier.line)")
                continue
            }
            values["orderNo"] = nil
            rows[orderNo] = BuyerIdentity(orderNo: orderNo, values: values, line: line)
        }
        try problems.throwIfAny()
        self.file = file
        self.byOrder = rows
    }

    public init(contentsOf url: URL) throws(YidanError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read the identities file \(url.lastPathComponent)", cause: error)
        }
        try self.init(csv: text, file: url.lastPathComponent)
    }

    public func identity(orderNo: String) -> BuyerIdentity? { byOrder[orderNo] }
    public var count: Int { byOrder.count }
}
