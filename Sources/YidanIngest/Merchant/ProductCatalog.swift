public import Foundation
public import YidanCore

/// One product as customs must see it: what platform orders never carry.
public struct CatalogProduct: Sendable, Equatable {
    /// The merchant's SKU, filed as `itemNo`.
    public var sku: String
    /// 10-digit HS code.
    public var gcode: String
    /// The name declared to customs (规范申报名称), filed instead of the shop title.
    public var name: String
    /// Specification and model (规格型号).
    public var model: String
    /// The unit the goods are sold in (a name such as piece, a Rec 20 code or a customs code).
    public var unit: String
    /// First legal unit and the quantity of it in ONE unit of sale (a 900 g tin: unit1 kg, qty1 0.9).
    public var unit1: String
    public var qty1: Decimal
    public var unit2: String?
    public var qty2: Decimal?
    /// ISO 3166 country of origin.
    public var originCountry: String
    public var barcode: String?
    /// Net weight of one unit of sale in kilograms.
    public var netWeight: Decimal
    /// Free note on the tax category (e.g. "cosmetics, high-end threshold met"); not filed.
    public var taxNote: String?
    /// Platform references that identify this product when an order line has
    /// no usable SKU: `platform:sku:TEXT`, `platform:variant:ID` or `platform:product:ID`.
    public var platformRefs: [String]
    /// The catalog line it was read from (0 when built in code).
    public var line: Int

    public init(
        sku: String, gcode: String, name: String, model: String, unit: String, unit1: String, qty1: Decimal,
        unit2: String? = nil, qty2: Decimal? = nil, originCountry: String, barcode: String? = nil, netWeight: Decimal,
        taxNote: String? = nil, platformRefs: [String] = [], line: Int = 0
    ) {
        self.sku = sku
        self.gcode = gcode
        self.name = name
        self.model = model
        self.unit = unit
        self.unit1 = unit1
        self.qty1 = qty1
        self.unit2 = unit2
        self.qty2 = qty2
        self.originCountry = originCountry
        self.barcode = barcode
        self.netWeight = netWeight
        self.taxNote = taxNote
        self.platformRefs = platformRefs
        self.line = line
    }
}

/// The merchant's product catalog, keyed by SKU: a CSV file with a header row
/// (`Fixtures/merchant/catalog.csv`; columns in `Mappings/platforms/README.md`).
public struct ProductCatalog: Sendable, Equatable {
    public static let requiredColumns = ["sku", "gcode", "name", "model", "unit", "unit1", "qty1", "originCountry", "netWeight"]
    public static let optionalColumns = ["unit2", "qty2", "barcode", "taxNote", "platformRefs"]

    public private(set) var products: [CatalogProduct]
    /// The file it was read from, as hints name it.
    public internal(set) var file = "catalog.csv"
    private var bySKU: [String: Int] = [:]
    private var byRef: [String: Int] = [:]

    public static let empty = ProductCatalog()

    private init() {
        products = []
    }

    public init(products: [CatalogProduct]) throws(YidanError) {
        self.products = []
        var problems = MerchantFileProblems(file: "catalog")
        for product in products { add(product, problems: &problems) }
        try problems.throwIfAny()
    }

    /// Parses and validates the CSV; every problem is reported together with
    /// its file, line, column, value and rule.
    public init(csv text: String, file: String = "catalog.csv") throws(YidanError) {
        let table = try CSVTable(csv: text, name: file, comments: .anywhere)
        var problems = MerchantFileProblems(file: file)
        for column in Self.requiredColumns where table.column(named: column) == nil {
            problems.report(line: table.headerLine, "header", nil, "has no column \(column) (required: \(Self.requiredColumns.joined(separator: ", ")))")
        }
        let known = Set(Self.requiredColumns + Self.optionalColumns)
        for column in table.header where !known.contains(column) {
            problems.report(line: table.headerLine, "header", column, "is not a catalog column (optional: \(Self.optionalColumns.joined(separator: ", ")))")
        }
        try problems.throwIfAny()
        products = []
        for record in table.records {
            func cell(_ column: String) -> String {
                (table.value(column, in: record) ?? "").trimmingCharacters(in: .whitespaces)
            }
            func optional(_ column: String) -> String? {
                let text = cell(column)
                return text.isEmpty ? nil : text
            }
            func decimal(_ column: String, required: Bool) -> Decimal? {
                let text = cell(column)
                if text.isEmpty {
                    if required { problems.report(line: record.line, "column \(column)", nil, "is required") }
                    return nil
                }
                guard let value = Money.parse(text), value > 0, Money.scale(of: value) <= 5 else {
                    problems.report(line: record.line, "column \(column)", text, "must be a decimal greater than 0 with at most 5 decimals")
                    return nil
                }
                return value
            }
            let line = record.line
            var rowOK = true
            let checks: [(String, TextRule)] = [
                ("sku", OrderRules.sku), ("gcode", OrderRules.gcode), ("name", .text(max: 250)), ("model", .text(max: 510)),
                ("unit", OrderRules.unit), ("unit1", OrderRules.unit), ("originCountry", OrderRules.country),
            ]
            for (column, rule) in checks {
                let text = cell(column)
                if text.isEmpty {
                    problems.report(line: line, "column \(column)", nil, "is required")
                    rowOK = false
                } else if !problems.check(text, rule, line: line, "column \(column)") {
                    rowOK = false
                }
            }
            if let barcode = optional("barcode"), !problems.check(barcode, OrderRules.barcode, line: line, "column barcode") { rowOK = false }
            if let unit2 = optional("unit2"), !problems.check(unit2, OrderRules.unit, line: line, "column unit2") { rowOK = false }
            let qty1 = decimal("qty1", required: true)
            let qty2 = decimal("qty2", required: false)
            let netWeight = decimal("netWeight", required: true)
            if (optional("unit2") == nil) != (optional("qty2") == nil) {
                problems.report(line: line, "column \(optional("unit2") == nil ? "unit2" : "qty2")", nil, "is required when \(optional("unit2") == nil ? "qty2" : "unit2") is given")
                rowOK = false
            }
            let refs = cell("platformRefs").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for ref in refs where !Self.isRef(ref) {
                problems.report(line: line, "column platformRefs", ref, "must be platform:sku:TEXT, platform:variant:ID or platform:product:ID")
                rowOK = false
            }
            guard rowOK, let qty1, let netWeight else { continue }
            add(CatalogProduct(
                sku: cell("sku"), gcode: cell("gcode"), name: cell("name"), model: cell("model"), unit: cell("unit"),
                unit1: cell("unit1"), qty1: qty1, unit2: optional("unit2"), qty2: qty2, originCountry: cell("originCountry"),
                barcode: optional("barcode"), netWeight: netWeight, taxNote: optional("taxNote"), platformRefs: refs, line: line
            ), problems: &problems)
        }
        try problems.throwIfAny()
        self.file = file
    }

    public init(contentsOf url: URL) throws(YidanError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw YidanError(.configuration, "cannot read the product catalog \(url.lastPathComponent)", cause: error)
        }
        try self.init(csv: text, file: url.lastPathComponent)
    }

    private mutating func add(_ product: CatalogProduct, problems: inout MerchantFileProblems) {
        if let earlier = bySKU[product.sku] {
            problems.report(line: product.line, "column sku", product.sku, "repeats the SKU of line \(products[earlier].line)")
            return
        }
        for ref in product.platformRefs {
            if let earlier = byRef[ref] {
                problems.report(line: product.line, "column platformRefs", ref, "already names the product of line \(products[earlier].line)")
                return
            }
        }
        bySKU[product.sku] = products.count
        for ref in product.platformRefs { byRef[ref] = products.count }
        products.append(product)
    }

    private static func isRef(_ ref: String) -> Bool {
        let parts = ref.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count == 3 && !parts[0].isEmpty && ["sku", "variant", "product"].contains(parts[1]) && !parts[2].isEmpty
    }

    public func product(sku: String) -> CatalogProduct? {
        bySKU[sku].map { products[$0] }
    }

    /// A product by a platform reference such as `woocommerce:product:93`.
    public func product(ref: String) -> CatalogProduct? {
        byRef[ref].map { products[$0] }
    }

    /// The product of an order line: by SKU first; then, for lines whose SKU is
    /// empty or not a catalog SKU, by `platform:sku:`, `platform:variant:` and
    /// `platform:product:` references, in that order. Returns how it matched.
    public func lookup(platform: String, sku: String?, variantId: String?, productId: String?) -> (product: CatalogProduct, matchedBy: String)? {
        if let sku, let product = product(sku: sku) { return (product, "sku \(sku)") }
        let refs = [sku.map { "\(platform):sku:\($0)" }, variantId.map { "\(platform):variant:\($0)" }, productId.map { "\(platform):product:\($0)" }]
        for case let ref? in refs {
            if let product = product(ref: ref) { return (product, "platformRefs \(ref)") }
        }
        return nil
    }
}
