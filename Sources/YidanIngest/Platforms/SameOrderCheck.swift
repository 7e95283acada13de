import Yams
import YidanCore

/// `documents.<name>.same-order` in a mapping file: the separate API responses
/// of one order must name the same order as the order document, or the bundle
/// is refused.
///
/// Why: platforms that split an order over several calls (Amazon getOrder +
/// getOrderItems + getOrderAddress, BigCommerce order + /products +
/// /shippingaddresses) return each part with the order's id. Joining the items
/// of one order to the address of another would file goods to the wrong
/// person, so a mismatch is an error, never silently merged.
///
/// ```yaml
/// documents:
///   items:
///     when: {exists: /payload/OrderItems}
///     same-order: {document: /payload/AmazonOrderId, order: /AmazonOrderId}
/// ```
/// `document` is read in the part (wildcards allowed: every value must match),
/// `order` in the order object. When either carries no id the part is accepted:
/// some platforms' parts do not repeat it.
struct SameOrderKey: Sendable {
    let document: PlatformPath
    let order: PlatformPath

    /// Reads `same-order: {document: PATH, order: PATH}`; nil when the key is absent.
    static func compile(_ node: Node?, file: String, at place: String) throws -> SameOrderKey? {
        guard let node else { return nil }
        func failure(_ message: String) -> YidanError {
            let line = node.mark.map { " line \($0.line)" } ?? ""
            return YidanError(.configuration, "\(file)\(line): \(place).same-order \(message)")
        }
        guard let spec = node.mapping, let documentText = spec["document"]?.string, let orderText = spec["order"]?.string,
              spec.keys.count == 2
        else {
            throw failure("must be {document: PATH, order: PATH} (the order id's path in the part and in the order)")
        }
        do {
            return SameOrderKey(document: try PlatformPath(documentText), order: try PlatformPath(orderText))
        } catch {
            throw failure("path \"\(error.path)\" \(error.rule)")
        }
    }
}

extension PlatformMapping {
    /// Refuses the order when a part names another order than the one it was given with.
    func checkSameOrder(_ scope: ExtractionScope) throws {
        for rule in documents {
            guard let key = rule.sameOrder, let part = scope.documents[rule.name] else { continue }
            let orderIds = scope.matches(key.order).compactMap { ExtractionScope.scalarText($0.value) }.filter { !$0.isEmpty }
            guard let orderId = orderIds.first else { continue }
            let partScope = ExtractionScope.root(part, platform: platform)
            for found in partScope.matches(key.document) {
                guard let partId = ExtractionScope.scalarText(found.value), !partId.isEmpty, partId != orderId else { continue }
                let pointer = found.source.split(separator: ":", maxSplits: 1).last.map(String.init) ?? found.source
                throw YidanError(
                    .invalidOrder,
                    "the \(platform) \(rule.name) document belongs to order \(partId) (\(rule.name) \(pointer)), not to order \(orderId) (\(key.order.text)): give the responses of one order together"
                )
            }
        }
    }
}
