import Foundation
import YidanCore

/// Builds a `NormalizedOrder` from a JSON document, field by field, reporting
/// into the reader. Returns nil when anything was wrong; the reader then
/// holds every issue, in document-model order, then the cross-field checks.
struct OrderDecoder {
    let reader: OrderFieldReader
    typealias Fields = NormalizedOrderJSON.Fields

    func order(_ document: JSONValue) -> NormalizedOrder? {
        guard case .object = document else {
            reader.report("", nil, "must be a JSON object, found \(document.typeName)")
            return nil
        }
        guard let root = reader.object(document, at: "", allowed: Fields.order) else { return nil }
        let orderNo = reader.string(root, "orderNo", OrderRules.orderNo)
        let platform = root.value("platform") == nil
            ? NormalizedOrderJSON.defaultPlatform
            : reader.string(root, "platform", OrderRules.platform)
        let orderTime = reader.time(root, "orderTime")
        let tradeMode = self.tradeMode(root)
        let currency = reader.string(root, "currency", OrderRules.currency)
        let goodsValue = reader.decimal(root, "goodsValue", maxScale: 2)
        let freight = reader.decimal(root, "freight", maxScale: 2)
        let insurance = reader.decimal(root, "insurance", maxScale: 2, default: 0)
        let discount = reader.decimal(root, "discount", maxScale: 2, default: 0)
        // An `export` object makes this an export order and switches the import-only
        // rules off (buyer identity, delivery in China): OrderDecoder+Export.swift.
        let isExport = root.value("export") != nil
        let export = isExport ? self.export(root, tradeMode: tradeMode) : nil
        let buyer = self.buyer(root, isExport: isExport)
        let consignee = self.consignee(root, isExport: isExport)
        let (items, itemsTotal) = self.items(root)
        let payment = self.payment(root)
        let logistics = self.logistics(root)
        let enterprises = self.enterprises(root)
        let customs = self.customs(root)
        let note = reader.optionalString(root, "note", .multilineText(max: 1000))

        // Checked on the document, so it is reported even when another customs field is wrong.
        if tradeMode == .bonded, let customsObject = root.value("customs"), case .object = customsObject,
           customsObject["emsNo"] == nil || customsObject["emsNo"] == .null {
            reader.report("/customs/emsNo", nil, "is required for tradeMode 1210 (bonded import)")
        }
        if let sum = itemsTotal, let goodsValue {
            if sum != goodsValue {
                reader.report("/goodsValue", Money.format(goodsValue, minScale: 2),
                              "must equal the sum of the items' totalPrice (\(Money.format(sum, minScale: 2)))")
            }
        }
        if let goodsValue, let freight, let discount, discount > goodsValue + freight {
            reader.report("/discount", Money.format(discount, minScale: 2),
                          "must not exceed goodsValue + freight (\(Money.format(goodsValue + freight, minScale: 2)))")
        }

        guard let orderNo, let platform, let orderTime, let tradeMode, let currency, let goodsValue, let freight,
              let insurance, let discount, let buyer, let consignee, let items, let payment, let logistics,
              let enterprises, let customs, !(isExport && export == nil), reader.issues.isEmpty
        else { return nil }
        return NormalizedOrder(
            orderNo: orderNo, platform: platform, orderTime: orderTime, tradeMode: tradeMode, currency: currency,
            goodsValue: goodsValue, freight: freight, insurance: insurance, discount: discount, buyer: buyer,
            consignee: consignee, items: items, payment: payment, logistics: logistics, enterprises: enterprises,
            customs: customs, note: note, export: export
        )
    }

    private func tradeMode(_ root: ObjectView) -> TradeMode? {
        guard let text = reader.string(root, "tradeMode", .text(max: 4)) else { return nil }
        guard let mode = TradeMode(rawValue: text) else {
            reader.report("/tradeMode", Shown.plain.render(text), "must be 9610 (direct purchase) or 1210 (bonded); exports also 9710 (B2B) or 9810 (overseas warehouse)")
            return nil
        }
        if mode.isExportOnly, root.value("export") == nil {
            reader.report("/tradeMode", text, "is an export trade mode (9710 B2B, 9810 overseas warehouse): the order needs /export")
            return nil
        }
        return mode
    }

    private func buyer(_ root: ObjectView, isExport: Bool) -> Buyer? {
        guard let object = reader.object(root.value("buyer"), at: "/buyer", allowed: Fields.buyer) else { return nil }
        let name = reader.string(object, "name", .text(max: 60), shown: .masked(Mask.name))
        // Export: the buyer is abroad, pays no Chinese tax and has no Chinese identity;
        // idType and idNumber may be left out (then type 2 "other" and an empty number).
        if isExport, object.value("idType") == nil, object.value("idNumber") == nil {
            let phone = reader.string(object, "phone", OrderRules.buyerPhone, shown: .masked(Mask.phone))
            let registrationNo = reader.string(object, "registrationNo", .text(max: 60), shown: .masked { Mask.keepEnds($0, head: 2, tail: 2) })
            guard let name, let phone, let registrationNo else { return nil }
            return Buyer(name: name, idType: "2", idNumber: "", phone: phone, registrationNo: registrationNo)
        }
        var idType = reader.string(object, "idType", .text(max: 1))
        if let type = idType, type != "1", type != "2" {
            reader.report("/buyer/idType", Shown.plain.render(type), "must be 1 (identity card) or 2 (other)")
            idType = nil
        }
        let idRule = idType == "1" ? OrderRules.mainlandIDNumber : OrderRules.otherIDNumber
        let idNumber = reader.string(object, "idNumber", idRule, shown: .masked(Mask.idNumber))
        let phone = reader.string(object, "phone", OrderRules.buyerPhone, shown: .masked(Mask.phone))
        let registrationNo = reader.string(object, "registrationNo", .text(max: 60), shown: .masked { Mask.keepEnds($0, head: 2, tail: 2) })
        guard let name, let idType, let idNumber, let phone, let registrationNo else { return nil }
        return Buyer(name: name, idType: idType, idNumber: idNumber, phone: phone, registrationNo: registrationNo)
    }

    private func consignee(_ root: ObjectView, isExport: Bool) -> Consignee? {
        guard let object = reader.object(root.value("consignee"), at: "/consignee", allowed: Fields.consignee) else { return nil }
        let name = reader.string(object, "name", .text(max: 100), shown: .masked(Mask.name))
        let phone = reader.string(object, "phone", OrderRules.consigneePhone, shown: .masked(Mask.phone))
        let address = reader.string(object, "address", .text(max: 200), shown: .masked(Mask.address))
        var country = reader.string(object, "country", OrderRules.country)
        if isExport, let code = country, code == "CN" || code == "CHN" {
            reader.report("/consignee/country", code, "must not be CN or CHN: an export is delivered abroad")
            country = nil
        } else if !isExport, let code = country, code != "CN", code != "CHN" {
            reader.report("/consignee/country", code, "must be CN or CHN: an import is delivered in mainland China")
            country = nil
        }
        let district = reader.optionalString(object, "district", OrderRules.district)
        guard let name, let phone, let address, let country else { return nil }
        return Consignee(name: name, phone: phone, address: address, country: country, district: district)
    }

    /// The items, and the sum of their totals whenever every total could be read
    /// (so a wrong goodsValue is reported even when an item has other problems).
    private func items(_ root: ObjectView) -> (items: [OrderItem]?, totalsSum: Decimal?) {
        guard let values = reader.array(root, "items") else { return (nil, nil) }
        if values.isEmpty {
            reader.report("/items", nil, "must hold at least one item")
            return (nil, nil)
        }
        if values.count > NormalizedOrderJSON.maxItems {
            reader.report("/items", nil, "must hold at most \(NormalizedOrderJSON.maxItems) items (found \(values.count))")
            return (nil, nil)
        }
        var items: [OrderItem] = []
        var totalsSum: Decimal? = 0
        var firstIndexOfSKU: [String: Int] = [:]
        for (index, value) in values.enumerated() {
            let parts = self.item(value, at: "/items/\(index)")
            if let sku = parts.sku {
                if let first = firstIndexOfSKU[sku] {
                    reader.report("/items/\(index)/sku", sku, "repeats the sku of /items/\(first)")
                } else {
                    firstIndexOfSKU[sku] = index
                }
            }
            if let total = parts.totalPrice, let sum = totalsSum { totalsSum = sum + total } else { totalsSum = nil }
            if let item = parts.item { items.append(item) }
        }
        return (items.count == values.count ? items : nil, totalsSum)
    }

    private func item(_ value: JSONValue, at pointer: String) -> (item: OrderItem?, sku: String?, totalPrice: Decimal?) {
        guard let object = reader.object(value, at: pointer, allowed: Fields.item) else { return (nil, nil, nil) }
        let sku = reader.string(object, "sku", OrderRules.sku)
        let name = reader.string(object, "name", .text(max: 250))
        let model = reader.string(object, "model", .text(max: 510))
        let description = reader.optionalString(object, "description", .multilineText(max: 1000))
        let gcode = reader.string(object, "gcode", OrderRules.gcode)
        let barcode = reader.optionalString(object, "barcode", OrderRules.barcode)
        let originCountry = reader.string(object, "originCountry", OrderRules.country)
        let unit = reader.string(object, "unit", OrderRules.unit)
        let qty = reader.decimal(object, "qty", maxScale: 5, positive: true)
        let qty1 = reader.decimal(object, "qty1", maxScale: 5, positive: true)
        let unit1 = reader.string(object, "unit1", OrderRules.unit)
        let qty2 = object.value("qty2") == nil ? nil : reader.decimal(object, "qty2", maxScale: 5, positive: true)
        let unit2 = reader.optionalString(object, "unit2", OrderRules.unit)
        if object.value("qty2") != nil, object.value("unit2") == nil {
            reader.report(pointer + "/unit2", nil, "is required when qty2 is given")
        } else if object.value("qty2") == nil, object.value("unit2") != nil {
            reader.report(pointer + "/qty2", nil, "is required when unit2 is given")
        }
        // Unit prices may carry more decimals than amounts (CEB price is fractionDigits 5).
        let unitPrice = reader.decimal(object, "unitPrice", maxScale: 5)
        let totalPrice = reader.decimal(object, "totalPrice", maxScale: 2)
        if let qty, let unitPrice, let totalPrice {
            let expected = Money.round(qty * unitPrice, scale: 2)
            if expected != totalPrice {
                reader.report(pointer + "/totalPrice", Money.format(totalPrice, minScale: 2),
                              "must equal qty × unitPrice (\(Money.format(qty)) × \(Money.format(unitPrice, minScale: 2)) = \(Money.format(expected, minScale: 2)))")
            }
        }
        guard let sku, let name, let model, let gcode, let originCountry, let unit, let qty, let qty1, let unit1,
              let unitPrice, let totalPrice
        else { return (nil, sku, totalPrice) }
        let item = OrderItem(
            sku: sku, name: name, model: model, description: description, gcode: gcode, barcode: barcode,
            originCountry: originCountry, unit: unit, qty: qty, qty1: qty1, unit1: unit1, qty2: qty2, unit2: unit2,
            unitPrice: unitPrice, totalPrice: totalPrice
        )
        return (item, sku, totalPrice)
    }

    private func payment(_ root: ObjectView) -> Payment? {
        guard let object = reader.object(root.value("payment"), at: "/payment", allowed: Fields.payment) else { return nil }
        let companyCode = reader.string(object, "companyCode", OrderRules.enterpriseCode)
        let companyName = reader.string(object, "companyName", OrderRules.name100)
        let transactionId = reader.string(object, "transactionId", OrderRules.transactionId)
        let amount = reader.decimal(object, "amount", maxScale: 2)
        let payTime = reader.time(object, "payTime")
        guard let companyCode, let companyName, let transactionId, let amount, let payTime else { return nil }
        return Payment(companyCode: companyCode, companyName: companyName, transactionId: transactionId, amount: amount, payTime: payTime)
    }

    private func logistics(_ root: ObjectView) -> Logistics? {
        guard let object = reader.object(root.value("logistics"), at: "/logistics", allowed: Fields.logistics) else { return nil }
        let companyCode = reader.string(object, "companyCode", OrderRules.enterpriseCode)
        let companyName = reader.string(object, "companyName", OrderRules.name100)
        let waybillNo = reader.string(object, "waybillNo", OrderRules.waybillNo)
        let grossWeight = reader.decimal(object, "grossWeight", maxScale: 5, positive: true)
        let netWeight = reader.decimal(object, "netWeight", maxScale: 5, positive: true)
        let packCount = reader.integer(object, "packCount", range: 1...999_999_999)
        if let grossWeight, let netWeight, netWeight > grossWeight {
            reader.report("/logistics/netWeight", Money.format(netWeight), "must not exceed grossWeight (\(Money.format(grossWeight)))")
        }
        guard let companyCode, let companyName, let waybillNo, let grossWeight, let netWeight, let packCount else { return nil }
        return Logistics(companyCode: companyCode, companyName: companyName, waybillNo: waybillNo,
                         grossWeight: grossWeight, netWeight: netWeight, packCount: packCount)
    }

    private func enterprises(_ root: ObjectView) -> Enterprises? {
        guard let object = reader.object(root.value("enterprises"), at: "/enterprises", allowed: Fields.enterprises) else { return nil }
        let ebpCode = reader.string(object, "ebpCode", OrderRules.enterpriseCode)
        let ebpName = reader.string(object, "ebpName", OrderRules.name100)
        let ebcCode = reader.string(object, "ebcCode", OrderRules.enterpriseCode)
        let ebcName = reader.string(object, "ebcName", OrderRules.name100)
        let agentCode = reader.string(object, "agentCode", OrderRules.enterpriseCode)
        let agentName = reader.string(object, "agentName", OrderRules.name100)
        let assureCode = reader.string(object, "assureCode", OrderRules.enterpriseCode)
        guard let ebpCode, let ebpName, let ebcCode, let ebcName, let agentCode, let agentName, let assureCode else { return nil }
        return Enterprises(ebpCode: ebpCode, ebpName: ebpName, ebcCode: ebcCode, ebcName: ebcName,
                           agentCode: agentCode, agentName: agentName, assureCode: assureCode)
    }

    private func customs(_ root: ObjectView) -> CustomsCodes? {
        guard let object = reader.object(root.value("customs"), at: "/customs", allowed: Fields.customs) else { return nil }
        let customsCode = reader.string(object, "customsCode", OrderRules.customsOffice)
        let portCode = reader.string(object, "portCode", OrderRules.customsOffice)
        let emsNo = reader.optionalString(object, "emsNo", OrderRules.emsNo)
        let transportMode = reader.string(object, "transportMode", OrderRules.transportMode)
        let transportNo = reader.optionalString(object, "transportNo", .text(max: 100))
        let billNo = reader.optionalString(object, "billNo", .text(max: 37))
        let areaCode = reader.optionalString(object, "areaCode", OrderRules.areaCode)
        guard let customsCode, let portCode, let transportMode else { return nil }
        return CustomsCodes(customsCode: customsCode, portCode: portCode, emsNo: emsNo, transportMode: transportMode,
                            transportNo: transportNo, billNo: billNo, areaCode: areaCode)
    }
}
