import ArgumentParser
import Foundation
import YidanCore
import YidanIngest
import YidanMapping

/// `yidan ingest --explain FILE…`: one order's normalized fields, each with its
/// value (personal data masked) and where it came from — a platform field path,
/// a catalog row, the profile, the identities file, a conversion or a computation.
struct IngestExplain {
    let files: [String]
    let platformOptions: IngestPlatformOptions
    let mappings: String?

    /// Fields whose values are personal data are shown masked, as everywhere else.
    static func shown(_ value: String, at pointer: String) -> String {
        switch pointer {
        case "/buyer/name", "/consignee/name": Mask.name(value)
        case "/buyer/idNumber": Mask.idNumber(value)
        case "/buyer/phone", "/consignee/phone": Mask.phone(value)
        case "/consignee/address": Mask.address(value)
        default: value
        }
    }

    func run() throws {
        let directory = try MappingCatalog.locate(explicit: mappings)
        var documents: [JSONValue] = []
        for path in files {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw CLIFailure("cannot read \(path)", exitCode: 66)
            }
            do {
                documents.append(try NormalizedOrderJSON.parser.parse(Array(bytes)))
            } catch {
                throw CLIFailure("\(path) is not valid JSON: \(error.description)", exitCode: 65)
            }
        }
        let lines: [String]
        if let (registry, assembler) = try platformOptions.platformEngine(mappingsDirectory: directory) {
            let orders: [PlatformOrder]
            do {
                orders = try registry.extract(documents, platform: platformOptions.platform)
            } catch let failure as ValidationFailure {
                throw CLIFailure("not explained, \(failure.description)", exitCode: 65)
            } catch let error as YidanError {
                throw CLIFailure("not explained: \(error.description)", exitCode: 65)
            }
            guard orders.count == 1, let platformOrder = orders.first else {
                throw CLIFailure("--explain takes one order; the payload holds \(orders.count)", exitCode: 64)
            }
            do {
                let assembled = try assembler.assemble(platformOrder)
                lines = Self.render(assembled)
            } catch let failure as ValidationFailure {
                throw CLIFailure("order \(platformOrder.fields["orderNo"]?.text ?? "?") cannot be normalized, \(failure.description)", exitCode: 65)
            }
        } else {
            guard documents.count == 1, let document = documents.first else {
                throw CLIFailure("--explain takes one normalized order JSON file (or a platform payload with --profile and --catalog)", exitCode: 64)
            }
            let order = try Self.decode(document)
            let provenance = Dictionary(uniqueKeysWithValues: AssembledOrder.leafPointerList(of: order).map {
                ($0, Provenance.platform(source: "order JSON:\($0)"))
            })
            lines = Self.render(AssembledOrder(order: order, provenance: provenance))
        }
        print(lines.joined(separator: "\n"))
    }

    static func decode(_ document: JSONValue) throws -> NormalizedOrder {
        let result = Result { () throws(ValidationFailure) -> NormalizedOrder in try NormalizedOrderJSON.decode(document) }
        switch result {
        case .success(let order): return order
        case .failure(let failure): throw CLIFailure("order refused, \(failure.description)", exitCode: 65)
        }
    }

    static func render(_ assembled: AssembledOrder) -> [String] {
        let values = assembled.leafValues
        let width = min(32, values.map(\.pointer.count).max() ?? 0)
        return values.map { entry in
            let shown = Self.shown(entry.value, at: entry.pointer)
            let origin = assembled.provenance[entry.pointer]?.description ?? "(no provenance)"
            return "\(entry.pointer.padding(toLength: max(width, entry.pointer.count), withPad: " ", startingAt: 0))  \(shown)\n    ← \(origin)"
        }
    }
}
