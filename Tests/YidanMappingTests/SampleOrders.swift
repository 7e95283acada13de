import Foundation
import YidanCore

/// Orders built in code, for behaviour the fixtures do not cover (lookups that
/// miss, optional elements, bonded imports).
enum SampleOrders {
    static func time(_ text: String) -> ZonedDateTime {
        guard let time = ZonedDateTime(iso8601: text) else { preconditionFailure("bad test time \(text)") }
        return time
    }

    static func decimal(_ text: String) -> Decimal {
        guard let value = Money.parse(text) else { preconditionFailure("bad test decimal \(text)") }
        return value
    }

    static let faceCream = OrderItem(
        sku: "FC-50ML", name: "保湿面霜", model: "50ml/瓶", description: "高保湿面霜", gcode: "3304990099",
        barcode: "4901234567894", originCountry: "JP", unit: "piece", qty: 2,
        qty1: decimal("0.1"), unit1: "kg", unitPrice: decimal("180.00"), totalPrice: decimal("360.00")
    )

    static let milkPowder = OrderItem(
        sku: "MP-900G", name: "婴儿配方奶粉", model: "900g/罐 1段", gcode: "1901101000",
        originCountry: "NZL", unit: "罐", qty: 3, qty1: decimal("2.7"), unit1: "KGM",
        unitPrice: decimal("219.90"), totalPrice: decimal("659.70")
    )

    /// A 9610 direct-purchase order. `payment.amount` must be set from the tax.
    static func directPurchase(items: [OrderItem] = [faceCream, milkPowder], paid: Decimal = 0) -> NormalizedOrder {
        let goods = items.reduce(Decimal(0)) { $0 + $1.totalPrice }
        return NormalizedOrder(
            orderNo: "YD20261129000001", platform: "yidan-shop", orderTime: time("2026-11-29T10:15:00+08:00"),
            tradeMode: .directPurchase, currency: "CNY", goodsValue: goods, freight: decimal("12.00"),
            insurance: decimal("1.50"), discount: decimal("20.00"),
            buyer: Buyer(name: "张三丰", idType: "1", idNumber: "11010119900307123X", phone: "13812345678", registrationNo: "buyer-0001"),
            consignee: Consignee(name: "张三丰", phone: "13812345678", address: "上海市浦东新区世纪大道100号", country: "CN", district: "310115"),
            items: items,
            payment: Payment(companyCode: "3120960001", companyName: "一单支付有限公司", transactionId: "PAY2026112900000001", amount: paid, payTime: time("2026-11-29T10:16:30+08:00")),
            logistics: Logistics(companyCode: "3122980002", companyName: "一单国际物流有限公司", waybillNo: "YDL000000000001", grossWeight: decimal("3.4"), netWeight: decimal("2.9"), packCount: 1),
            enterprises: Enterprises(ebpCode: "3105960001", ebpName: "一单演示跨境电商平台", ebcCode: "3105960002", ebcName: "一单演示跨境电商企业", agentCode: "3105960003", agentName: "一单报关代理有限公司", assureCode: "3105960002"),
            customs: CustomsCodes(customsCode: "2244", portCode: "2244", transportMode: "5", transportNo: "MU5001", billNo: "781-20261129"),
            note: nil
        )
    }

    /// A 1210 bonded order with an account book (emsNo) and a bonded area.
    static func bonded(paid: Decimal = 0) -> NormalizedOrder {
        var order = directPurchase(items: [faceCream], paid: paid)
        order.orderNo = "YD20261129000002"
        order.tradeMode = .bonded
        order.customs = CustomsCodes(customsCode: "2218", portCode: "2218", emsNo: "T2218W000123", transportMode: "4", areaCode: "3122480001")
        return order
    }

    /// The order with its payment set to what the tax makes it, and the tax.
    static func paid(_ order: NormalizedOrder) throws -> (NormalizedOrder, OrderTax) {
        let rates = try Shared.taxRates.get()
        let tax = try CompositeTax.compute(order: order, rates: rates, annualUsedBefore: 0)
        var paidOrder = order
        paidOrder.payment.amount = order.goodsValue + order.freight + tax.total - order.discount
        return (paidOrder, tax)
    }
}
