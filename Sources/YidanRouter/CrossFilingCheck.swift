import Foundation
public import YidanCore
public import YidanXML
public import YidanMapping

/// The customs, tax and FX filings of one order must tell the same story:
/// customs reconciles the tax filing against CEB311's taxTotal and the FX
/// administration the RMB amount against CEB411's amountPaid, so a
/// disagreement only earns refusals later, from several authorities at once.
///
/// This reads the built documents back (by namespace, as an authority would)
/// and compares them field by field before anything is stored or sent. It is
/// pure: the documents in, the differences out.
public struct CrossFilingCheck: Sendable {
    /// ISO 4217 code for a customs currency code (`Mappings/tables/currency.csv`).
    let isoCurrency: @Sendable (String) -> String?

    public init(isoCurrency: @escaping @Sendable (String) -> String?) {
        self.isoCurrency = isoCurrency
    }

    /// Reads customs currency codes with the catalog's `currency` table.
    public init(catalog: MappingCatalog) {
        self.init(isoCurrency: { code in try? catalog.code(in: "currency", from: ["customs"], to: "iso", key: code) })
    }

    static let namespaces = [
        "ceb": "http://www.chinaport.gov.cn/ceb",
        "tax": AuthorityFilingKind.taxImport.namespaceURI,
        "fx": AuthorityFilingKind.fxPayment.namespaceURI,
    ]

    /// Refuses documents that disagree: `ValidationFailure` with one issue per
    /// difference, whose pointer is `KIND XPath` and whose rule names the other
    /// document's XPath and value.
    public func check(_ documents: [MessageKind: XMLDocument]) throws {
        try DifferenceReport.refuse(differences(documents))
    }

    /// Every difference between the documents given; kinds not given are not compared.
    public func differences(_ documents: [MessageKind: XMLDocument]) -> [FieldIssue] {
        var report = DifferenceReport()
        func field(_ kind: MessageKind, _ xpath: String) -> FieldValue? { FieldValue.read(kind, xpath, among: documents) }
        let order = "/ceb:CEB311Message/ceb:Order/ceb:OrderHead/"
        let payment = "/ceb:CEB411Message/ceb:Payment/ceb:PaymentHead/"
        let inventory = "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryHead/"
        let taxHead = "/tax:TaxImportFiling/tax:Head/"
        let fxRecord = "/fx:FxPaymentFiling/fx:Record/"

        report.agree("order number", [
            field(.ceb311, order + "ceb:orderNo"), field(.ceb411, payment + "ceb:orderNo"),
            field(.ceb621, inventory + "ceb:orderNo"), field(.taxImport, taxHead + "tax:orderNo"),
            field(.fxPayment, fxRecord + "fx:orderNo"),
        ])
        report.agree("trade mode", [
            field(.ceb621, inventory + "ceb:tradeMode"), field(.taxImport, taxHead + "tax:tradeMode"),
            field(.fxPayment, fxRecord + "fx:tradeMode"),
        ])
        report.agree("tax total", [field(.ceb311, order + "ceb:taxTotal"), field(.taxImport, taxHead + "tax:taxTotal")], as: .amount)
        report.agree("amount paid (RMB)", [
            field(.ceb311, order + "ceb:acturalPaid"), field(.ceb411, payment + "ceb:amountPaid"),
            field(.fxPayment, fxRecord + "fx:rmbAmount"),
        ], as: .amount)
        report.agree("payment transaction id", [
            field(.ceb311, order + "ceb:payTransactionId"), field(.ceb411, payment + "ceb:payTransactionId"),
            field(.fxPayment, fxRecord + "fx:payTransactionId"),
        ])

        // Customs amounts are in a customs currency code, the others in ISO 4217.
        let customsCurrency = [
            field(.ceb311, order + "ceb:currency"), field(.ceb411, payment + "ceb:currency"),
            field(.ceb621, inventory + "ceb:currency"),
        ]
        report.agree("currency", customsCurrency)
        if let customs = customsCurrency.compactMap({ $0 }).first(where: { $0.text != nil }), let code = customs.text {
            let iso = isoCurrency(code)
            var taxCurrency = field(.taxImport, taxHead + "tax:currency")
            if let value = taxCurrency, value.text != nil, iso == nil {
                report.issues.append(FieldIssue(pointer: customs.location, value: code, rule: "currency: customs code has no ISO 4217 code in Mappings/tables/currency.csv, so it cannot be compared with \(value.location)"))
                taxCurrency = nil
            }
            report.agree("currency", [customs.converted(iso), taxCurrency])
        }
        if let fx = documents[.fxPayment] {
            report.checkConversion(fx, customsISO: customsCurrency.compactMap { $0?.text }.first.flatMap(isoCurrency))
        }

        report.agreeLines(
            order: documents[.ceb311], inventory: documents[.ceb621], tax: documents[.taxImport]
        )
        if let tax = documents[.taxImport] { report.checkTaxSums(tax) }
        return report.issues
    }
}

/// One value read from one filing, with where it was read.
struct FieldValue {
    let kind: MessageKind
    let xpath: String
    /// nil when the element is missing.
    let text: String?

    var location: String { "\(kind.rawValue) \(xpath)" }

    static func read(_ kind: MessageKind, _ xpath: String, in document: XMLDocument) -> FieldValue {
        let node = (try? document.select(xpath, namespaces: CrossFilingCheck.namespaces))?.first
        return FieldValue(kind: kind, xpath: node?.path ?? xpath, text: node?.trimmedText)
    }

    /// The field in the `kind` document among those given; nil when that kind
    /// was not given, so it takes no part in the comparison.
    static func read(_ kind: MessageKind, _ xpath: String, among documents: [MessageKind: XMLDocument]) -> FieldValue? {
        documents[kind].map { read(kind, xpath, in: $0) }
    }

    static func read(_ kind: MessageKind, _ relative: String, under node: XMLNode) -> FieldValue {
        let found = (try? node.select(relative, namespaces: CrossFilingCheck.namespaces))?.first
        return FieldValue(kind: kind, xpath: found?.path ?? node.path + "/" + relative, text: found?.trimmedText)
    }

    /// The same place, its value read as another code (customs currency → ISO).
    func converted(_ value: String?) -> FieldValue {
        FieldValue(kind: kind, xpath: xpath, text: value)
    }
}

/// Collects differences; the first present value of each field is the reference.
struct DifferenceReport {
    enum Comparison {
        case text
        case amount
    }

    var issues: [FieldIssue] = []

    mutating func agree(_ field: String, _ values: [FieldValue?], as comparison: Comparison = .text) {
        let present = values.compactMap { $0 }
        for value in present where value.text == nil {
            issues.append(FieldIssue(pointer: value.location, value: nil, rule: "\(field): missing"))
        }
        let readable = present.filter { $0.text != nil }
        guard let reference = readable.first, let expected = reference.text else { return }
        for value in readable.dropFirst() {
            guard let actual = value.text, !Self.equal(expected, actual, comparison) else { continue }
            issues.append(FieldIssue(
                pointer: value.location, value: actual,
                rule: "\(field) must equal \(reference.location) = \(expected)"
            ))
        }
    }

    /// Throws the differences found, if any, as one `ValidationFailure`.
    static func refuse(_ issues: [FieldIssue]) throws {
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
    }

    static func equal(_ lhs: String, _ rhs: String, _ comparison: Comparison) -> Bool {
        switch comparison {
        case .text: return lhs == rhs
        case .amount:
            guard let left = decimal(lhs), let right = decimal(rhs) else { return lhs == rhs }
            return left == right
        }
    }

    static func decimal(_ text: String) -> Decimal? {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// FX: RMB amount = amount × rate (to the fen); in the customs currency the rate is 1.
    mutating func checkConversion(_ fx: XMLDocument, customsISO: String?) {
        let record = "/fx:FxPaymentFiling/fx:Record/"
        let currency = FieldValue.read(.fxPayment, record + "fx:currency", in: fx)
        let amount = FieldValue.read(.fxPayment, record + "fx:amount", in: fx)
        let rate = FieldValue.read(.fxPayment, record + "fx:rate", in: fx)
        let rmb = FieldValue.read(.fxPayment, record + "fx:rmbAmount", in: fx)
        guard let amountText = amount.text, let rateText = rate.text, let rmbText = rmb.text,
              let amountValue = Self.decimal(amountText), let rateValue = Self.decimal(rateText), let rmbValue = Self.decimal(rmbText)
        else { return }
        if let iso = customsISO, currency.text == iso, rateValue != 1 {
            issues.append(FieldIssue(pointer: rate.location, value: rateText, rule: "currency \(iso) is the customs currency: the rate must be 1"))
        }
        let converted = Money.round(amountValue * rateValue, scale: 2)
        if converted != rmbValue {
            issues.append(FieldIssue(
                pointer: rmb.location, value: rmbText,
                rule: "amount after conversion must equal \(amount.location) × \(rate.location) = \(amountText) × \(rateText) = \(Money.format(converted, minScale: 2))"
            ))
        }
    }

    /// Lines by `gnum`: quantities of CEB311, CEB621 and the tax filing; HS codes of CEB621 and the tax filing.
    mutating func agreeLines(order: XMLDocument?, inventory: XMLDocument?, tax: XMLDocument?) {
        let sources: [(MessageKind, XMLDocument?, String)] = [
            (.ceb311, order, "/ceb:CEB311Message/ceb:Order/ceb:OrderList"),
            (.ceb621, inventory, "/ceb:CEB621Message/ceb:Inventory/ceb:InventoryList"),
            (.taxImport, tax, "/tax:TaxImportFiling/tax:Item"),
        ]
        var lines: [(kind: MessageKind, byNumber: [String: XMLNode], path: String)] = []
        for (kind, document, path) in sources {
            guard let document else { continue }
            let nodes = (try? document.select(path, namespaces: CrossFilingCheck.namespaces)) ?? []
            var byNumber: [String: XMLNode] = [:]
            for node in nodes {
                let number = FieldValue.read(kind, "*[local-name()='gnum']", under: node).text ?? ""
                byNumber[number] = node
            }
            lines.append((kind, byNumber, path))
        }
        guard let reference = lines.first else { return }
        let numbers = lines.reduce(into: Set<String>()) { $0.formUnion($1.byNumber.keys) }
            .sorted { (Int($0) ?? Int.max, $0) < (Int($1) ?? Int.max, $1) }
        for number in numbers {
            for line in lines where line.byNumber[number] == nil {
                let holder = lines.first { $0.byNumber[number] != nil }
                issues.append(FieldIssue(
                    pointer: "\(line.kind.rawValue) \(line.path)[gnum=\(number)]", value: nil,
                    rule: "item \(number): missing, but \(holder.map { "\($0.kind.rawValue) \($0.path)" } ?? reference.kind.rawValue) has it"
                ))
            }
            func value(_ kind: MessageKind, _ name: String) -> FieldValue? {
                guard let line = lines.first(where: { $0.kind == kind }), let node = line.byNumber[number] else { return nil }
                let prefix = kind == .taxImport ? "tax:" : "ceb:"
                return FieldValue.read(kind, prefix + name, under: node)
            }
            agree("item \(number) quantity", [value(.ceb311, "qty"), value(.ceb621, "qty"), value(.taxImport, "qty")], as: .amount)
            agree("item \(number) HS code", [value(.ceb621, "gcode"), value(.taxImport, "gcode")])
            agree("item \(number) total price", [value(.ceb311, "totalPrice"), value(.ceb621, "totalPrice"), value(.taxImport, "totalPrice")], as: .amount)
        }
    }

    /// The tax filing adds up: each item's total is its duty + VAT + consumption
    /// tax, and each head amount is the sum over the items.
    mutating func checkTaxSums(_ tax: XMLDocument) {
        let items = (try? tax.select("/tax:TaxImportFiling/tax:Item", namespaces: CrossFilingCheck.namespaces)) ?? []
        let parts = ["duty", "vat", "consumptionTax"]
        var sums: [String: Decimal] = [:]
        for item in items {
            var itemParts: Decimal = 0
            for name in parts + ["taxTotal"] {
                let field = FieldValue.read(.taxImport, "tax:" + name, under: item)
                guard let value = field.text.flatMap(Self.decimal) else { continue }
                sums[name, default: 0] += value
                if name != "taxTotal" { itemParts += value }
            }
            let total = FieldValue.read(.taxImport, "tax:taxTotal", under: item)
            if let text = total.text, let value = Self.decimal(text), value != itemParts {
                let names = parts.map { FieldValue.read(.taxImport, "tax:" + $0, under: item).xpath }
                issues.append(FieldIssue(
                    pointer: total.location, value: text,
                    rule: "item tax total must equal \(names.joined(separator: " + ")) = \(Money.format(itemParts, minScale: 2))"
                ))
            }
        }
        for name in parts + ["taxTotal"] {
            let head = FieldValue.read(.taxImport, "/tax:TaxImportFiling/tax:Head/tax:" + name, in: tax)
            let sum = sums[name, default: 0]
            if let text = head.text, let value = Self.decimal(text), value != sum {
                issues.append(FieldIssue(
                    pointer: head.location, value: text,
                    rule: "must equal the sum of TAX-IMPORT /tax:TaxImportFiling/tax:Item/tax:\(name) = \(Money.format(sum, minScale: 2))"
                ))
            }
        }
    }
}
