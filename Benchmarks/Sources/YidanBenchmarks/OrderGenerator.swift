import Foundation
import YidanCore

/// Generated 9610 import orders with three items each, every one with its own
/// order number, buyer (a valid mainland ID number), waybill and payment, and a
/// payment amount that agrees with the composite tax, so every order files.
struct OrderGenerator {
    let taxRates: TaxRateTable
    private let items: [OrderItem]
    private let orderTime: ZonedDateTime
    private let payTime: ZonedDateTime

    init(taxRates: TaxRateTable) throws {
        self.taxRates = taxRates
        guard let orderTime = ZonedDateTime(iso8601: "2026-11-11T00:05:00+08:00"),
              let payTime = ZonedDateTime(iso8601: "2026-11-11T00:06:30+08:00")
        else { throw BenchError("bad generator time") }
        self.orderTime = orderTime
        self.payTime = payTime
        items = [
            OrderItem(
                sku: "FC-50ML", name: "保湿面霜", model: "50ml/瓶", description: "高保湿面霜", gcode: "3304990099",
                barcode: "4901234567894", originCountry: "JP", unit: "piece", qty: 2,
                qty1: Decimal(string: "0.1") ?? 0, unit1: "kg", unitPrice: 180, totalPrice: 360
            ),
            OrderItem(
                sku: "MP-900G", name: "婴儿配方奶粉", model: "900g/罐 1段", gcode: "1901101000",
                originCountry: "NZL", unit: "罐", qty: 3, qty1: Decimal(string: "2.7") ?? 0, unit1: "KGM",
                unitPrice: Decimal(string: "219.90") ?? 0, totalPrice: Decimal(string: "659.70") ?? 0
            ),
            OrderItem(
                sku: "FC-30ML", name: "保湿面霜旅行装", model: "30ml/瓶", gcode: "3304990099",
                originCountry: "JP", unit: "piece", qty: 1,
                qty1: Decimal(string: "0.05") ?? 0, unit1: "kg", unitPrice: 120, totalPrice: 120
            ),
        ]
    }

    /// The `number`-th order (0-based); the same number always gives the same order.
    func order(_ number: Int) throws -> NormalizedOrder {
        let serial = String(number).leftPadded(to: 9).replacingOccurrences(of: " ", with: "0")
        var lineItems = items
        // Vary quantities a little so the documents are not all alike.
        let extra = Decimal(number % 3)
        lineItems[2].qty += extra
        lineItems[2].totalPrice = lineItems[2].unitPrice * lineItems[2].qty
        let goods = lineItems.reduce(Decimal(0)) { $0 + $1.totalPrice }
        var order = NormalizedOrder(
            orderNo: "BENCH\(serial)", platform: "yidan-bench", orderTime: orderTime,
            tradeMode: .directPurchase, currency: "CNY", goodsValue: goods, freight: 12,
            insurance: Decimal(string: "1.50") ?? 0, discount: 20,
            buyer: Buyer(name: "张三丰", idType: "1", idNumber: Self.idNumber(number), phone: "13812345678", registrationNo: "buyer-\(serial)"),
            consignee: Consignee(name: "张三丰", phone: "13812345678", address: "上海市浦东新区世纪大道100号", country: "CN", district: "310115"),
            items: lineItems,
            payment: Payment(companyCode: "3120960001", companyName: "一单支付有限公司", transactionId: "PAYB\(serial)", amount: 0, payTime: payTime),
            logistics: Logistics(companyCode: "3122980002", companyName: "一单国际物流有限公司", waybillNo: "YDB\(serial)", grossWeight: Decimal(string: "3.4") ?? 0, netWeight: Decimal(string: "2.9") ?? 0, packCount: 1),
            enterprises: Enterprises(ebpCode: "3105960001", ebpName: "一单演示跨境电商平台", ebcCode: "3105960002", ebcName: "一单演示跨境电商企业", agentCode: "3105960003", agentName: "一单报关代理有限公司", assureCode: "3105960002"),
            customs: CustomsCodes(customsCode: "2244", portCode: "2244", transportMode: "5", transportNo: "MU5001", billNo: "781-20261111"),
            note: nil
        )
        let tax = try CompositeTax.compute(order: order, rates: taxRates, annualUsedBefore: 0)
        order.payment.amount = order.goodsValue + order.freight + tax.total - order.discount
        return order
    }

    /// A distinct, checksum-valid 18-character mainland ID number (GB 11643) per
    /// order: region 110101, a birth date from 1960 on, and a serial.
    static func idNumber(_ number: Int) -> String {
        let day = number / 1000
        let birth = Date(timeIntervalSince1970: -315_619_200 + Double(day) * 86_400)  // 1960-01-01 UTC
        let fields = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: birth)
        let date = String(format: "%04d%02d%02d", fields.year ?? 1960, fields.month ?? 1, fields.day ?? 1)
        let body = "110101" + date + String(format: "%03d", number % 1000)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body.utf8, weights).reduce(0) { $0 + Int($1.0 - 48) * $1.1 }
        let check = Array("10X98765432")[sum % 11]
        return body + String(check)
    }
}

/// A benchmark that cannot run (missing input, a failed order): stops the suite with a message.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
