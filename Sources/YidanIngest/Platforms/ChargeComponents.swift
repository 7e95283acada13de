import Foundation
import YidanCore

/// Amounts that add up to an order's freight, insurance or discount, each in
/// its own currency: `freight.<label>` fields (with an optional
/// `freight.<label>.currency`), at the order level or on a line.
///
/// Why: some platforms never state these totals for the order. Amazon Orders v0
/// prices shipping, gift wrap and COD fees per item, each `{CurrencyCode, Amount}`
/// on its own, and one item may hold a JPY price with a GBP gift wrap; BigCommerce
/// states shipping, handling and wrapping as separate order amounts. Adding such
/// texts before conversion would add yen to pounds, so every component is
/// converted to CNY by itself (half-up to the fen) and the CNY amounts are added.
///
/// A component's currency is its `.currency` field, else (on a line) the line's
/// `currency`, else the order's. When an order has any component of a base, the
/// base's total is the order-level base field (in the order's currency, when
/// given) plus every component; without components the base is read as before.
enum ChargeComponents {
    static let bases: Set<String> = ["freight", "insurance", "discount"]

    /// `freight.giftWrap`, `freight.giftWrap.currency`: a component field name.
    static func isComponentField(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || (parts.count == 3 && parts[2] == "currency") else { return false }
        guard bases.contains(String(parts[0])), parts[1] != "currency", let first = parts[1].unicodeScalars.first,
              CharacterSet.letters.contains(first),
              parts[1].unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" })
        else { return false }
        return true
    }

    /// The amount components of `base` in `values`, each with its currency field's value (if any).
    static func components(of base: String, in values: [String: SourcedValue]) -> [(amount: SourcedValue, currency: String?)] {
        values.keys.sorted().compactMap { key in
            guard key.hasPrefix(base + "."), !key.hasSuffix(".currency"), isComponentField(key), let amount = values[key] else { return nil }
            return (amount, values[key + ".currency"]?.text.uppercased())
        }
    }
}

extension AssemblyRun {
    /// The CNY total of `field` (freight, insurance, discount) when the order or
    /// any line has components of it; nil otherwise (read the plain field then).
    mutating func componentTotal(_ pointer: String, field: String, orderCurrency: String?, orderTime: ZonedDateTime?) -> Decimal? {
        var parts: [(amount: SourcedValue, currency: String?)] = ChargeComponents.components(of: field, in: platformOrder.fields)
            .map { ($0.amount, $0.currency ?? orderCurrency) }
        for line in platformOrder.items {
            let lineCurrency = line["currency"]?.text.uppercased() ?? orderCurrency
            parts += ChargeComponents.components(of: field, in: line).map { ($0.amount, $0.currency ?? lineCurrency) }
        }
        guard !parts.isEmpty else { return nil }
        if let base = platformOrder.fields[field] { parts.insert((base, orderCurrency), at: 0) }

        var total = Decimal(0)
        var converted: [(cny: Decimal, provenance: Provenance)] = []
        var zero: Provenance?
        for part in parts {
            guard let value = Money.parse(part.amount.text) else {
                problems.append(FieldIssue(pointer: pointer, value: part.amount.text, rule: "is not a plain decimal amount (from \(part.amount.source))"))
                continue
            }
            // Zero amounts add nothing; they are named only when every amount is zero.
            if value == 0 {
                zero = zero ?? .platform(source: part.amount.source)
                continue
            }
            // A missing order currency or rate is reported once, by the order's own fields.
            guard let currency = part.currency,
                  let cny = toCNY(value, currency: currency, origin: .platform(source: part.amount.source), at: orderTime)
            else { continue }
            total += cny.0
            converted.append((cny.0, cny.1))
        }
        if converted.isEmpty, let zero {
            provenance[pointer] = zero
        } else if converted.count == 1 {
            provenance[pointer] = converted[0].provenance
        } else {
            let list = converted.map { "\(Money.format($0.cny, minScale: 2)) CNY ← \($0.provenance)" }.joined(separator: "; ")
            provenance[pointer] = .computed("\(field) = Σ of \(converted.count) amounts, each converted to CNY on its own: \(list)")
        }
        return total
    }
}
