import Foundation
import YidanCore

/// One assembled line and its share of the order's weight.
struct AssembledItem {
    var item: OrderItem
    var totalPrice: Decimal { item.totalPrice }
    /// Catalog net weight per unit × qty, kg.
    var netWeight: Decimal
}

/// Joins each platform line with its catalog row and converts its prices.
enum ItemAssembly {
    static func items(run: inout AssemblyRun, currency orderCurrency: String?, orderTime: ZonedDateTime?) -> [AssembledItem] {
        var result: [AssembledItem] = []
        for (index, line) in run.platformOrder.items.enumerated() {
            result.append(item(line, index: index, run: &run, orderCurrency: orderCurrency, orderTime: orderTime))
        }
        return result
    }

    private static func item(
        _ line: [String: SourcedValue], index: Int, run: inout AssemblyRun, orderCurrency: String?, orderTime: ZonedDateTime?
    ) -> AssembledItem {
        let at = "/items/\(index)"
        let platform = run.platform
        let catalog = run.context.catalog
        let sku = line["sku"]?.text
        let match = catalog.lookup(platform: platform, sku: sku, variantId: line["variantId"]?.text, productId: line["productId"]?.text)

        // Quantity and prices, in the line's own currency.
        var qty: Decimal = 0
        if let text = line["qty"] {
            if let value = Money.parse(text.text), value > 0 {
                qty = value
                run.provenance[at + "/qty"] = .platform(source: text.source)
            } else {
                run.problems.append(FieldIssue(pointer: at + "/qty", value: text.text, rule: "must be a decimal greater than 0 (from \(text.source))"))
                run.suppressed.append(at + "/")
            }
        } else {
            run.markMissing(at + "/qty", "is missing: supply it in the \(platform) payload (Mappings/platforms/\(platform).yaml items.fields.qty)")
        }
        let (unitPrice, totalPrice) = prices(line, at: at, qty: qty, run: &run, orderCurrency: orderCurrency, orderTime: orderTime)

        guard let (product, matchedBy) = match else {
            let refs = [line["variantId"].map { "\(platform):variant:\($0.text)" }, line["productId"].map { "\(platform):product:\($0.text)" }]
                .compactMap { $0 }
            let what = sku.map { "SKU \($0)" } ?? "this line (it has no SKU)"
            var rule = "has no catalog row: add a row for \(what) to \(catalogName(run))"
            if !refs.isEmpty { rule += ", or name it in the platformRefs column of an existing row (\(refs.joined(separator: " or ")))" }
            run.problems.append(FieldIssue(pointer: at + "/sku", value: sku, rule: rule))
            run.suppressed.append(at + "/")
            let placeholder = OrderItem(sku: sku ?? "", name: "", model: "", gcode: "", originCountry: "", unit: "", qty: qty == 0 ? 1 : qty,
                                        qty1: 1, unit1: "", unitPrice: unitPrice, totalPrice: totalPrice)
            return AssembledItem(item: placeholder, netWeight: 0)
        }
        let productSKU = product.sku
        func fromCatalog(_ field: String, _ column: String) { run.provenance[at + "/" + field] = .catalog(sku: productSKU, column: column) }
        if let sku = line["sku"], sku.text == product.sku {
            run.provenance[at + "/sku"] = .platform(source: sku.source)
        } else {
            run.provenance[at + "/sku"] = .catalog(sku: productSKU, column: "sku (matched by \(matchedBy))")
        }
        for column in ["name", "model", "gcode", "originCountry", "unit", "unit1"] { fromCatalog(column, column) }
        var description: String?
        if let title = line["name"] {
            description = title.text
            run.provenance[at + "/description"] = .platform(source: title.source)
        }
        var barcode = product.barcode
        if barcode != nil {
            fromCatalog("barcode", "barcode")
        } else if let fromLine = line["barcode"] {
            barcode = fromLine.text
            run.provenance[at + "/barcode"] = .platform(source: fromLine.source)
        }
        let qtyText = Money.format(qty)
        run.provenance[at + "/qty1"] = .computed("qty1 = catalog SKU \(productSKU) qty1 \(Money.format(product.qty1)) × qty \(qtyText)")
        var qty2: Decimal?
        if let perUnit = product.qty2, product.unit2 != nil {
            qty2 = perUnit * qty
            run.provenance[at + "/qty2"] = .computed("qty2 = catalog SKU \(productSKU) qty2 \(Money.format(perUnit)) × qty \(qtyText)")
            fromCatalog("unit2", "unit2")
        }
        let item = OrderItem(
            sku: product.sku, name: product.name, model: product.model, description: description, gcode: product.gcode,
            barcode: barcode, originCountry: product.originCountry, unit: product.unit, qty: qty,
            qty1: product.qty1 * qty, unit1: product.unit1, qty2: qty2, unit2: qty2 == nil ? nil : product.unit2,
            unitPrice: unitPrice, totalPrice: totalPrice
        )
        return AssembledItem(item: item, netWeight: product.netWeight * qty)
    }

    /// The line's unit price and total in CNY, with provenance.
    private static func prices(
        _ line: [String: SourcedValue], at: String, qty: Decimal, run: inout AssemblyRun, orderCurrency: String?, orderTime: ZonedDateTime?
    ) -> (unit: Decimal, total: Decimal) {
        let unit = run.platformDecimal("unitPrice", in: line)
        let total = run.platformDecimal("totalPrice", in: line)
        for field in ["unitPrice", "totalPrice"] where line[field] != nil && Money.parse(line[field]?.text ?? "") == nil {
            run.problems.append(FieldIssue(pointer: at + "/" + field, value: line[field]?.text, rule: "is not a plain decimal amount (from \(line[field]?.source ?? ""))"))
        }
        let originalTotal: (value: Decimal, provenance: Provenance)
        if let total {
            originalTotal = (total.value, .platform(source: total.source))
        } else if let unit, qty > 0 {
            originalTotal = (Money.round(unit.value * qty, scale: 2), .computed("totalPrice = qty × unitPrice (\(unit.source))"))
        } else {
            if unit == nil {
                run.markMissing(at + "/unitPrice", "is missing: supply unitPrice or totalPrice in the \(run.platform) payload (Mappings/platforms/\(run.platform).yaml items.fields)")
            }
            return (0, 0)
        }
        guard let currency = line["currency"]?.text.uppercased() ?? orderCurrency else { return (0, 0) }
        if currency == "CNY" {
            run.provenance[at + "/totalPrice"] = originalTotal.provenance
            if let unit {
                run.provenance[at + "/unitPrice"] = .platform(source: unit.source)
                return (unit.value, originalTotal.value)
            }
            run.provenance[at + "/unitPrice"] = .computed("unitPrice = totalPrice ÷ qty")
            return (qty > 0 ? Money.round(originalTotal.value / qty, scale: 5) : 0, originalTotal.value)
        }
        guard let converted = run.toCNY(originalTotal.value, currency: currency, origin: originalTotal.provenance, at: orderTime) else {
            return (0, 0)
        }
        run.provenance[at + "/totalPrice"] = converted.1
        let cnyUnit = qty > 0 ? Money.round(converted.0 / qty, scale: 5) : 0
        if case let .converted(_, code, rate, rateDate, source, _) = converted.1 {
            let originalUnit = unit?.value ?? (qty > 0 ? originalTotal.value / qty : 0)
            let origin = unit.map { "platform \($0.source)" } ?? "totalPrice ÷ qty"
            run.provenance[at + "/unitPrice"] = .converted(
                from: Money.format(originalUnit, minScale: 2), currency: code, rate: rate, rateDate: rateDate, source: source,
                origin: origin + "; CNY unitPrice = CNY totalPrice ÷ qty to 5 decimals"
            )
        }
        return (cnyUnit, converted.0)
    }

    private static func catalogName(_ run: AssemblyRun) -> String { run.context.catalog.file }
}
