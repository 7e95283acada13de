import Foundation
import YidanCore
import YidanIngest

/// Paths of the project's fixtures and tables, from this file's location.
enum OrderFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let orders = root.appendingPathComponent("Fixtures/orders")
    static let invalid = orders.appendingPathComponent("invalid")
    static let schema = root.appendingPathComponent("Mappings/schemas/normalized-order.schema.json")

    static let validNames = [
        "milk-powder-9610.json", "skincare-9610.json", "three-items-9610.json", "bonded-wine-1210.json", "handbag-full-rate-9610.json",
    ]

    static func valid() throws -> [URL] {
        let urls = try FileManager.default.contentsOfDirectory(at: orders, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return urls
    }

    static func data(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    static func taxRates() throws -> TaxRateTable {
        try TaxRateTable(csv: String(contentsOf: root.appendingPathComponent("Mappings/tables/tax-rates.csv"), encoding: .utf8))
    }

    static func decimal(_ text: String) -> Decimal {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? .nan
    }

    /// Decodes and returns the issues, or an empty list when the document is valid.
    static func issues(_ data: Data) -> [FieldIssue] {
        do {
            _ = try NormalizedOrderJSON.decode(data)
            return []
        } catch {
            return error.issues
        }
    }

    static func issues(_ text: String) -> [FieldIssue] { issues(Data(text.utf8)) }

    /// The milk-powder fixture as a mutable JSON tree, for tests that break one field.
    static func milkPowder() throws -> JSONValue {
        try NormalizedOrderJSON.parser.parse(data(orders.appendingPathComponent("milk-powder-9610.json")))
    }
}

extension JSONValue {
    /// Sets (or with nil removes) the member at a simple path of object keys and array indexes.
    func setting(_ path: [String], to newValue: JSONValue?) -> JSONValue {
        guard let head = path.first else { return newValue ?? .null }
        let rest = Array(path.dropFirst())
        switch self {
        case var .object(members):
            if let index = members.firstIndex(where: { $0.key == head }) {
                if rest.isEmpty && newValue == nil {
                    members.remove(at: index)
                } else {
                    members[index].value = members[index].value.setting(rest, to: newValue)
                }
            } else if let newValue {
                members.append((head, JSONValue.null.setting(rest, to: newValue)))
            }
            return .object(members)
        case var .array(values):
            guard let index = Int(head), values.indices.contains(index) else { return self }
            if rest.isEmpty && newValue == nil {
                values.remove(at: index)
            } else {
                values[index] = values[index].setting(rest, to: newValue)
            }
            return .array(values)
        default:
            return self
        }
    }

    var data: Data { Data(serialized()) }
}
