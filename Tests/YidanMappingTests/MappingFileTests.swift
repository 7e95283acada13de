import Foundation
import Testing
import YidanCore
import YidanMapping

/// A private copy of `Mappings/` in a temporary folder, to break on purpose.
private struct ScratchMappings {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("yidan-mapping-\(UUID().uuidString)")
        // Resolve first: copying a symbolic link would make the edits land in the real Mappings/.
        try FileManager.default.copyItem(at: TestPaths.mappings.resolvingSymlinksInPath(), to: url)
        var isDirectory: ObjCBool = false
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
              attributes[.type] as? FileAttributeType == .typeDirectory
        else { throw YidanError(.configuration, "scratch copy of Mappings is not a plain directory") }
    }

    func edit(_ relative: String, _ change: (String) -> String) throws {
        let file = url.appendingPathComponent(relative)
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(relative) changed nothing")
        try changed.write(to: file, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The message of the configuration error loading `mappings` throws.
private func loadError(_ mappings: ScratchMappings) -> String {
    defer { mappings.remove() }
    do {
        _ = try MappingCatalog(directory: mappings.url)
        Issue.record("expected the catalog to refuse the mapping")
        return ""
    } catch let error as YidanError {
        #expect(error.code == .configuration || error.code == .schema)
        return error.message
    } catch {
        Issue.record("unexpected error \(error)")
        return ""
    }
}

@Suite("Mapping files are checked when the catalog loads")
struct MappingFileTests {
    @Test func unknownSourcePathIsRefused() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("ceb/CEB311.yaml") { $0.replacingOccurrences(of: "- orderNo: order.orderNo", with: "- orderNo: order.orderNumber") }
        #expect(loadError(scratch) == "Mappings/ceb/CEB311.yaml Order/OrderHead/orderNo: unknown source path order.orderNumber")
    }

    @Test func unknownOptionIsRefused() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("ceb/CEB411.yaml") { $0.replacingOccurrences(of: "{source: order.buyer.phone, optional: true}", with: "{source: order.buyer.phone, optinal: true}") }
        #expect(loadError(scratch).hasPrefix("Mappings/ceb/CEB411.yaml Payment/PaymentHead/telephone: unknown option optinal"))
    }

    @Test func itemPathOutsideRepeatIsRefused() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("ceb/CEB511.yaml") { $0.replacingOccurrences(of: "- orderNo: order.orderNo", with: "- orderNo: item.sku") }
        #expect(loadError(scratch) == "Mappings/ceb/CEB511.yaml Logistics/LogisticsHead/orderNo: item.sku reads item.* or index outside a repeat")
    }

    @Test func unknownTableColumnIsRefused() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("ceb/CEB621.yaml") { $0.replacingOccurrences(of: "from: [iso2, iso3, customs], to: customs", with: "from: [iso2, iso4], to: customs") }
        #expect(loadError(scratch).hasPrefix("Mappings/tables/country.csv has no column iso4"))
    }

    @Test func mappingForTheWrongMessageIsRefused() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("ceb/CEB511.yaml") { $0.replacingOccurrences(of: "message: CEB511", with: "message: CEB311") }
        #expect(loadError(scratch) == "Mappings/ceb/CEB511.yaml maps CEB311, expected CEB511")
    }

    @Test func profileNeedsItsTransportIdentity() throws {
        let scratch = try ScratchMappings()
        try scratch.edit("profile.yaml") { $0.replacingOccurrences(of: "  dxpId: DXPENT0000031059\n", with: "") }
        #expect(loadError(scratch) == "profile.yaml: baseTransfer.dxpId is required")
    }

    @Test func elementsAreWrittenInTheMappingFilesOrder() throws {
        // Swapping two elements in a mapping file swaps them in the message, and
        // the schema (xs:sequence) then refuses the message.
        let scratch = try ScratchMappings()
        defer { scratch.remove() }
        try scratch.edit("ceb/CEB511.yaml") {
            $0.replacingOccurrences(of: "              - logisticsNo: order.logistics.waybillNo\n", with: "")
                .replacingOccurrences(of: "              - orderNo: order.orderNo\n", with: "              - orderNo: order.orderNo\n              - logisticsNo: order.logistics.waybillNo\n")
        }
        let catalog = try MappingCatalog(directory: scratch.url)
        let (order, tax) = try SampleOrders.paid(SampleOrders.directPurchase())
        let error = #expect(throws: YidanError.self) {
            _ = try catalog.makeFiling(.ceb511, order: order, tax: tax, guid: Shared.guid(.ceb511), now: Shared.now)
        }
        #expect(error?.code == .schema)
        #expect(error?.message.contains("/ceb:CEB511Message/ceb:Logistics/ceb:LogisticsHead/ceb:billNo") == true)
    }
}

@Suite("Locating the Mappings directory")
struct MappingsDirectoryTests {
    @Test func explicitPathWins() throws {
        let found = try MappingsDirectory.locate(explicit: TestPaths.mappings.path, environment: [:], currentDirectory: "/", executablePath: nil)
        #expect(found.path == TestPaths.mappings.standardizedFileURL.path)
    }

    @Test func explicitPathThatIsNotAMappingsDirectoryIsAnError() {
        #expect(throws: YidanError.self) {
            _ = try MappingsDirectory.locate(explicit: TestPaths.fixtures.path, environment: [:], currentDirectory: "/", executablePath: nil)
        }
    }

    @Test func environmentVariableComesNext() throws {
        let found = try MappingsDirectory.locate(
            explicit: nil, environment: [MappingsDirectory.environmentVariable: "Mappings"],
            currentDirectory: TestPaths.packageRoot.path, executablePath: nil, filePath: "/nowhere/a/b/c.swift"
        )
        #expect(found.path == TestPaths.mappings.standardizedFileURL.path)
    }

    @Test func currentDirectoryThenExecutableThenPackageRoot() throws {
        let fromCurrent = try MappingsDirectory.locate(
            environment: [:], currentDirectory: TestPaths.packageRoot.path, executablePath: nil, filePath: "/nowhere/a/b/c.swift"
        )
        #expect(fromCurrent.path == TestPaths.mappings.standardizedFileURL.path)
        let fromExecutable = try MappingsDirectory.locate(
            environment: [:], currentDirectory: "/", executablePath: TestPaths.packageRoot.appendingPathComponent(".build/debug/yidan").path,
            filePath: "/nowhere/a/b/c.swift"
        )
        #expect(fromExecutable.path == TestPaths.mappings.standardizedFileURL.path)
        let fromSource = try MappingsDirectory.locate(environment: [:], currentDirectory: "/", executablePath: nil)
        #expect(MappingsDirectory.isMappingsDirectory(fromSource))
        #expect(throws: YidanError.self) {
            _ = try MappingsDirectory.locate(environment: [:], currentDirectory: "/", executablePath: nil, filePath: "/nowhere/a/b/c.swift")
        }
    }
}
