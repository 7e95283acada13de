public import Foundation

/// The tax of one item line.
public struct ItemTax: Sendable, Equatable {
    /// Zero-based index of the item in the order (CEB gnum is index + 1).
    public var index: Int
    public var gcode: String
    public var rate: TaxRate
    /// The item's total plus its share of freight and insurance, to the fen.
    public var dutiable: Decimal
    public var duty: Decimal
    public var vat: Decimal
    public var consumptionTax: Decimal
    public var total: Decimal { duty + vat + consumptionTax }

    public init(index: Int, gcode: String, rate: TaxRate, dutiable: Decimal, duty: Decimal, vat: Decimal, consumptionTax: Decimal) {
        self.index = index
        self.gcode = gcode
        self.rate = rate
        self.dutiable = dutiable
        self.duty = duty
        self.vat = vat
        self.consumptionTax = consumptionTax
    }
}

/// The cross-border retail import tax of one order.
public struct OrderTax: Sendable, Equatable {
    /// goodsValue + freight + insurance.
    public var dutiable: Decimal
    public var duty: Decimal
    public var vat: Decimal
    public var consumptionTax: Decimal
    /// duty + vat + consumptionTax: CEB311 `taxTotal`.
    public var total: Decimal
    /// True for a single indivisible item over the per-order limit, taxed at the full rates.
    public var fullRate: Bool
    public var items: [ItemTax]
    /// What this order adds to the buyer's annual total (the full dutiable value, in both regimes).
    public var allowanceUse: Decimal

    public init(
        dutiable: Decimal, duty: Decimal, vat: Decimal, consumptionTax: Decimal, total: Decimal,
        fullRate: Bool, items: [ItemTax], allowanceUse: Decimal
    ) {
        self.dutiable = dutiable
        self.duty = duty
        self.vat = vat
        self.consumptionTax = consumptionTax
        self.total = total
        self.fullRate = fullRate
        self.items = items
        self.allowanceUse = allowanceUse
    }
}

/// The composite tax of cross-border retail imports (跨境电商综合税), per
/// 财关税〔2016〕18号 as amended by 财关税〔2018〕49号.
///
/// Within the limits (5,000 per order, 26,000 per buyer per year) duty is 0 and
/// VAT and consumption tax are charged at 70 %. A single indivisible item over
/// 5,000 whose buyer stays within the annual limit pays the full rates. Anything
/// else over a limit is general trade and is refused here.
///
/// Freight and insurance are spread over the items by value to the fen (largest
/// remainder, so the shares add up exactly). Each tax of each item is computed at
/// full `Decimal` precision and rounded half-up to the fen; the order's taxes are
/// the sums of the rounded item taxes.
public enum CompositeTax {
    public static let perOrderLimit = Decimal(5000)
    public static let annualLimit = Decimal(26000)
    /// 70 %: the share of VAT and consumption tax charged within the limits.
    public static let withinLimitsShare = Decimal(sign: .plus, exponent: -1, significand: 7)

    public static func compute(order: NormalizedOrder, rates: TaxRateTable, annualUsedBefore: Decimal) throws -> OrderTax {
        guard order.currency == "CNY" else {
            throw YidanError(.invalidOrder, "the composite tax is computed on RMB amounts; the order is in \(order.currency): convert it first")
        }
        guard !order.items.isEmpty else { throw YidanError(.invalidOrder, "the order has no items") }
        guard order.goodsValue == order.itemsTotal else {
            throw YidanError(.invalidOrder, "goodsValue \(amount(order.goodsValue)) differs from the items' total \(amount(order.itemsTotal))")
        }

        let lines = order.items.map { TaxableLine(gcode: $0.gcode, qty: $0.qty, totalPrice: $0.totalPrice) }
        let itemRates = try taxRates(of: lines, in: rates)

        let dutiable = order.dutiableValue
        let fullRate: Bool
        if dutiable > perOrderLimit {
            let indivisible = order.items.count == 1 && order.items[0].qty == 1
            guard indivisible else {
                throw YidanError(.notEligible, """
                    dutiable value \(amount(dutiable)) is over the \(amount(perOrderLimit)) per-order limit and the order is not \
                    a single indivisible item (\(order.items.count) item line\(order.items.count == 1 ? "" : "s"), \
                    \(Money.format(order.items.map(\.qty).reduce(0, +))) pieces): not eligible for the cross-border retail channel, \
                    file as general trade
                    """)
            }
            fullRate = true
        } else {
            fullRate = false
        }
        let annualAfter = annualUsedBefore + dutiable
        guard annualAfter <= annualLimit else {
            throw YidanError(.notEligible, """
                dutiable value \(amount(dutiable)) on top of \(amount(annualUsedBefore)) already used this year makes \
                \(amount(annualAfter)), over the buyer's annual limit of \(amount(annualLimit)): not eligible for the \
                cross-border retail channel, file as general trade
                """)
        }

        return itemize(lines, rates: itemRates, freightAndInsurance: order.freight + order.insurance, dutiable: dutiable, fullRate: fullRate)
    }

    /// The rate of each line's goods code, in line order; every line without
    /// one is a `FieldIssue` at `/items/<index>/gcode`, all thrown together.
    static func taxRates(of lines: [TaxableLine], in rates: TaxRateTable) throws -> [TaxRate] {
        var itemRates: [TaxRate] = []
        var issues: [FieldIssue] = []
        for (index, line) in lines.enumerated() {
            if let rate = rates.rate(forHSCode: line.gcode) {
                itemRates.append(rate)
            } else {
                issues.append(FieldIssue(pointer: "/items/\(index)/gcode", value: line.gcode, rule: "has no tax rate in the tax-rate table"))
            }
        }
        guard issues.isEmpty else { throw ValidationFailure(issues: issues) }
        return itemRates
    }

    /// The taxes of eligible lines (`rates` parallel to `lines`): freight and
    /// insurance apportioned by value, each tax of each item rounded to the fen,
    /// the order's taxes the sums of the rounded item taxes.
    static func itemize(
        _ lines: [TaxableLine], rates: [TaxRate], freightAndInsurance: Decimal, dutiable: Decimal, fullRate: Bool
    ) -> OrderTax {
        let shares = apportion(freightAndInsurance, over: lines.map(\.totalPrice))
        var items: [ItemTax] = []
        for (index, line) in lines.enumerated() {
            let itemDutiable = line.totalPrice + shares[index]
            let rate = rates[index]
            let taxes = fullRate ? fullRateTaxes(itemDutiable, rate) : withinLimitsTaxes(itemDutiable, rate)
            items.append(ItemTax(
                index: index, gcode: line.gcode, rate: rate, dutiable: itemDutiable,
                duty: Money.round(taxes.duty), vat: Money.round(taxes.vat), consumptionTax: Money.round(taxes.consumption)
            ))
        }
        let duty = items.reduce(Decimal(0)) { $0 + $1.duty }
        let vat = items.reduce(Decimal(0)) { $0 + $1.vat }
        let consumption = items.reduce(Decimal(0)) { $0 + $1.consumptionTax }
        return OrderTax(
            dutiable: dutiable, duty: duty, vat: vat, consumptionTax: consumption, total: duty + vat + consumption,
            fullRate: fullRate, items: items, allowanceUse: dutiable
        )
    }

    /// Within the limits: duty 0; CT = D/(1−c)·c·0.7; VAT = (D + D/(1−c)·c)·v·0.7.
    static func withinLimitsTaxes(_ dutiable: Decimal, _ rate: TaxRate) -> (duty: Decimal, vat: Decimal, consumption: Decimal) {
        let consumptionBase = dutiable * rate.consumption / (1 - rate.consumption)
        let consumption = consumptionBase * withinLimitsShare
        let vat = (dutiable + consumptionBase) * rate.vat * withinLimitsShare
        return (0, vat, consumption)
    }

    /// Full rate: duty = D·t; CT = (D + duty)/(1−c)·c; VAT = (D + duty + CT)·v.
    static func fullRateTaxes(_ dutiable: Decimal, _ rate: TaxRate) -> (duty: Decimal, vat: Decimal, consumption: Decimal) {
        let duty = dutiable * rate.duty
        let consumption = (dutiable + duty) * rate.consumption / (1 - rate.consumption)
        let vat = (dutiable + duty + consumption) * rate.vat
        return (duty, vat, consumption)
    }

    /// The share of the dutiable value charged as tax within the limits:
    /// 0.7·(v + c)/(1 − c). 9.1 % for VAT 13 %, 23.0588… % with CT 15 %.
    public static func compositeRate(vat: Decimal, consumption: Decimal) -> Decimal {
        (vat + consumption) / (1 - consumption) * withinLimitsShare
    }

    /// Splits `total` (to the fen) over `weights` in proportion: each share is
    /// rounded down to the fen, and the fens left over go one by one to the
    /// largest remainders (earlier items first on ties), so shares sum to `total`.
    static func apportion(_ total: Decimal, over weights: [Decimal]) -> [Decimal] {
        guard !weights.isEmpty else { return [] }
        let weightSum = weights.reduce(Decimal(0), +)
        guard weightSum > 0 else {
            // Nothing to weigh by: the first item carries it all.
            return [total] + Array(repeating: Decimal(0), count: weights.count - 1)
        }
        let fen = Decimal(sign: .plus, exponent: -2, significand: 1)
        var shares: [Decimal] = []
        var remainders: [(index: Int, remainder: Decimal)] = []
        for (index, weight) in weights.enumerated() {
            let exact = total * weight / weightSum
            let floored = roundDown(exact)
            shares.append(floored)
            remainders.append((index, exact - floored))
        }
        var leftover = total - shares.reduce(Decimal(0), +)
        for entry in remainders.sorted(by: { $0.remainder > $1.remainder || ($0.remainder == $1.remainder && $0.index < $1.index) }) {
            guard leftover >= fen else { break }
            shares[entry.index] += fen
            leftover -= fen
        }
        return shares
    }

    private static func roundDown(_ value: Decimal) -> Decimal {
        var input = value
        var result = Decimal()
        NSDecimalRound(&result, &input, 2, .down)
        return result
    }

    private static func amount(_ value: Decimal) -> String { Money.format(value, minScale: 2) }
}
