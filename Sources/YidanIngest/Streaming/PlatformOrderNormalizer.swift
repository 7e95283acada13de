import YidanCore

/// Platform payloads (Shopify, WooCommerce, … as `Mappings/platforms/*.yaml`
/// describe them) → `PlatformRegistry.extract` → `OrderAssembler.assemble`
/// with the merchant's files → `NormalizedOrder` in CNY.
///
/// Without a forced `platform`, a document no platform shape matches but
/// that has an `orderNo` member is the project's own normalized order JSON,
/// so one ingest run can mix both. A payload listing several orders yields
/// one order per entry, located `<where>#<n>` (n from 1).
public struct PlatformOrderNormalizer: OrderNormalizer {
    public let registry: PlatformRegistry
    public let assembler: OrderAssembler
    /// Overrides detection (`--platform`).
    public let platform: String?

    public init(registry: PlatformRegistry, assembler: OrderAssembler, platform: String? = nil) {
        self.registry = registry
        self.assembler = assembler
        self.platform = platform
    }

    public func normalize(_ document: OrderDocument) -> [NormalizedDocument] {
        let document = document.parsed()
        guard case let .json(values) = document.content else {
            return NormalizedOrderJSONNormalizer().normalize(document)
        }
        if platform == nil, values.allSatisfy(isNormalizedOrderJSON) {
            return NormalizedOrderJSONNormalizer().normalize(document)
        }
        let orders: [PlatformOrder]
        do {
            orders = try registry.extract(values, platform: platform)
        } catch {
            return [refusal(error, location: document.location, orderNo: document.orderNo)]
        }
        return orders.enumerated().map { index, order in
            let location = orders.count == 1 ? document.location : "\(document.location)#\(index + 1)"
            let orderNo = order.fields["orderNo"]?.text
            do {
                let assembled = try assembler.assemble(order)
                return NormalizedDocument(location: location, orderNo: assembled.order.orderNo, result: .success(assembled.order))
            } catch {
                return refusal(error, location: location, orderNo: orderNo)
            }
        }
    }

    private func isNormalizedOrderJSON(_ value: JSONValue) -> Bool {
        guard registry.candidates(value).isEmpty else { return false }
        if case let .array(elements) = value {
            return !elements.isEmpty && elements.allSatisfy { $0["orderNo"] != nil }
        }
        return value["orderNo"] != nil
    }

    /// Validation problems keep their pointers; other errors (not an order
    /// of a known platform, over the limits) concern the whole order and carry
    /// messages that are safe to show by `YidanError`'s contract.
    private func refusal(_ error: any Error, location: String, orderNo: String?) -> NormalizedDocument {
        let issues: [FieldIssue]
        switch error {
        case let failure as ValidationFailure: issues = failure.issues
        case let error as YidanError: issues = [FieldIssue(pointer: "", value: nil, rule: error.description)]
        default: issues = [FieldIssue(pointer: "", value: nil, rule: "cannot be read as a platform order")]
        }
        return NormalizedDocument(location: location, orderNo: orderNo, result: .failure(ValidationFailure(issues: issues)))
    }
}
