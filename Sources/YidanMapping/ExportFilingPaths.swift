import Foundation
import YidanCore

extension SourcePath {
    /// Paths only the export declarations (CEB303/403/505/603) use: `export.*`,
    /// the order's `ExportDetails`, plus values derived from the trade mode.
    /// On an import order every `export.*` path reads as absent.
    static let exportFilingPaths: [String: SourcePath] = {
        var paths: [String: SourcePath] = [:]
        func export(_ name: String, _ read: @escaping @Sendable (ExportDetails, NormalizedOrder) -> MappingValue?) {
            paths["export." + name] = SourcePath(
                name: "export." + name, needsItem: false,
                read: { scope in scope.order.export.flatMap { read($0, scope.order) } },
                pointer: { _ in "/export/" + name }, mask: nil
            )
        }

        export("statisticsFlag") { details, _ in .text(details.statisticsFlag.rawValue) }
        export("exportDate") { details, _ in .time(details.exportDate) }
        export("ownerCode") { details, _ in .text(details.ownerCode) }
        export("ownerName") { details, _ in .text(details.ownerName) }
        export("arrivalCountry") { details, _ in .text(details.arrivalCountry) }
        export("portOfDestination") { details, _ in .text(details.portOfDestination) }
        export("wrapType") { details, _ in .text(details.wrapType) }
        export("transportName") { details, _ in .optionalText(details.transportName) }
        export("totalPackageNo") { details, _ in .optionalText(details.totalPackageNo) }
        export("iacCode") { details, _ in .optionalText(details.iacCode) }
        export("iacName") { details, _ in .optionalText(details.iacName) }
        export("ebcTelephone") { details, _ in .optionalText(details.ebcTelephone) }
        // CEB403 accountingDate: when the money arrived; the payment time unless the order says otherwise.
        export("receivedTime") { details, order in .time(details.receivedTime ?? order.payment.payTime) }
        // CEB303 orderType: E B2C (9610, 1210), B B2B (9710), W overseas-warehouse booking (9810).
        export("orderType") { _, order in .text(order.tradeMode.exportOrderType) }
        return paths
    }()
}
