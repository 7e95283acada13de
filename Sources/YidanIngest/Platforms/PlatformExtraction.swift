import Foundation
import YidanCore

extension PlatformMapping {
    /// The first shape whose condition the document meets.
    func shape(of document: JSONValue) -> Shape? {
        let scope = ExtractionScope.root(document, platform: platform)
        return shapes.first { $0.when.holds(in: scope) }
    }

    /// Evaluates every field and item rule on one order object. Values a
    /// conversion refuses are returned as issues (all of them, not the first).
    func extractOrder(in scope: ExtractionScope, shape: Shape) -> (PlatformOrder, [FieldIssue]) {
        var issues: [FieldIssue] = []
        var fields: [String: SourcedValue] = [:]
        let own = Set(shape.fields.map(\.name))
        for rule in self.fields.filter({ !own.contains($0.name) }) + shape.fields {
            do {
                if let value = try rule.evaluate(in: scope) { fields[rule.name] = value }
            } catch {
                issues.append(error.fieldIssue)
            }
        }
        var items: [[String: SourcedValue]] = []
        if let rule = shape.items ?? self.items {
            var rows: [[String: SourcedValue]] = []
            for line in scope.matches(rule.path) where line.value != .null {
                var lineScope = scope
                let split = Self.split(line.source)
                lineScope.context = (line.value, split.pointer)
                lineScope.contextPrefix = split.prefix
                if rule.skipWhen.contains(where: { $0.holds(in: lineScope) }) { continue }
                var row: [String: SourcedValue] = [:]
                for field in rule.fields {
                    do {
                        if let value = try field.evaluate(in: lineScope) { row[field.name] = value }
                    } catch {
                        issues.append(error.fieldIssue)
                    }
                }
                rows.append(row)
            }
            if let key = rule.aggregateBy {
                items = Self.aggregate(rows, by: key, itemsPath: rule.path.text)
            } else {
                items = rows
            }
        }
        return (PlatformOrder(platform: platform, fields: fields, items: items), issues)
    }

    /// `shopify:/order/line_items/0` → (`shopify:`, `/order/line_items/0`).
    private static func split(_ source: String) -> (prefix: String, pointer: String) {
        guard let colon = source.firstIndex(of: ":") else { return ("", source) }
        return (String(source[...colon]), String(source[source.index(after: colon)...]))
    }

    /// Platforms that send one row per unit (Lazada, TikTok Shop): rows with the
    /// same key become one line. qty is the sum of the rows' qty (1 for a row
    /// without one); totalPrice the sum when every row has one, otherwise the
    /// sum of the rows' unit prices × qty; unitPrice is kept only when every row
    /// has the same one (the assembler derives it from the total otherwise).
    /// Other fields come from the first row.
    static func aggregate(_ rows: [[String: SourcedValue]], by key: String, itemsPath: String) -> [[String: SourcedValue]] {
        var order: [String] = []
        var groups: [String: [[String: SourcedValue]]] = [:]
        var unkeyed: [[String: SourcedValue]] = []
        for row in rows {
            guard let value = row[key]?.text else { unkeyed.append(row); continue }
            if groups[value] == nil { order.append(value) }
            groups[value, default: []].append(row)
        }
        var result: [[String: SourcedValue]] = []
        for value in order {
            guard let group = groups[value], var merged = group.first else { continue }
            guard group.count > 1 else { result.append(merged); continue }
            let label = "\(group.count) rows of \(itemsPath) with \(key) \(value)"
            let quantities = group.map { row in row["qty"].flatMap { Money.parse($0.text) } ?? 1 }
            let qty = quantities.reduce(Decimal(0), +)
            merged["qty"] = SourcedValue(text: Money.format(qty), source: "sum over \(label)")
            let totals = group.compactMap { $0["totalPrice"].flatMap { Money.parse($0.text) } }
            let units = group.compactMap { $0["unitPrice"].flatMap { Money.parse($0.text) } }
            if totals.count == group.count {
                merged["totalPrice"] = SourcedValue(text: Money.format(totals.reduce(0, +)), source: "sum of totalPrice over \(label)")
            } else if units.count == group.count {
                let total = zip(units, quantities).reduce(Decimal(0)) { $0 + $1.0 * $1.1 }
                merged["totalPrice"] = SourcedValue(text: Money.format(total), source: "sum of unitPrice × qty over \(label)")
            } else {
                merged["totalPrice"] = nil
            }
            if units.count != group.count || Set(units).count != 1 {
                merged["unitPrice"] = nil
            }
            result.append(merged)
        }
        return result + unkeyed
    }
}
