/// What one platform order says, before any join with the merchant's files.
///
/// Values are already converted by the platform's mapping file (times to RFC
/// 3339, amounts to plain decimals, countries to ISO 3166 alpha-2) but nothing
/// has been looked up or computed yet; each value keeps the path it came from.
public struct PlatformOrder: Sendable, Equatable {
    /// "shopify", "woocommerce", "magento", …: the mapping file's `platform`.
    public var platform: String
    /// Normalized field paths ("orderNo", "buyer.phone", "consignee.country", …) → value.
    public var fields: [String: SourcedValue]
    /// One entry per line (after `skip-when` and `aggregate-by`): "sku", "name", "qty", "unitPrice", …
    public var items: [[String: SourcedValue]]

    public init(platform: String, fields: [String: SourcedValue], items: [[String: SourcedValue]]) {
        self.platform = platform
        self.fields = fields
        self.items = items
    }
}

/// One value of a platform order and where it was found.
public struct SourcedValue: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Exact text: strings as sent, numbers as their literal digits, converted values in their normalized form.
    public var text: String
    /// `shopify:/order/line_items/0/price`; a default or constant names the mapping file rule
    /// (`shopify.yaml fields.insurance default`); a sum names the wildcard path.
    public var source: String

    public init(text: String, source: String) {
        self.text = text
        self.source = source
    }

    public var description: String { "\(text) (\(source))" }
}
