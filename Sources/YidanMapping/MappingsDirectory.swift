public import Foundation
import YidanCore

/// Finds the `Mappings/` directory (mapping files, code tables, schemas, profile).
///
/// In order: an explicit path (a `--mappings` option), the `YIDAN_MAPPINGS`
/// environment variable, `./Mappings` in the current directory, a `Mappings`
/// folder beside the executable or in any folder above it (an installed tree
/// or `.build/debug/yidan`), and last the package root this file was compiled
/// in (so `swift run` and tests work from anywhere). An explicit path or the
/// environment variable that does not hold a mappings directory is an error,
/// not a reason to silently use another one.
public enum MappingsDirectory {
    public static let environmentVariable = "YIDAN_MAPPINGS"

    public static func locate(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath,
        executablePath: String? = Bundle.main.executablePath ?? CommandLine.arguments.first,
        filePath: String = #filePath
    ) throws -> URL {
        if let explicit, !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            guard isMappingsDirectory(url) else {
                throw YidanError(.configuration, "\(explicit) is not a mappings directory (it needs ceb/, tables/ and schemas/)")
            }
            return url.standardizedFileURL
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            let url = URL(fileURLWithPath: fromEnvironment, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            guard isMappingsDirectory(url) else {
                throw YidanError(.configuration, "\(environmentVariable)=\(fromEnvironment) is not a mappings directory (it needs ceb/, tables/ and schemas/)")
            }
            return url.standardizedFileURL
        }
        var candidates: [URL] = [URL(fileURLWithPath: currentDirectory, isDirectory: true).appendingPathComponent("Mappings")]
        if let executablePath {
            var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
            while folder.path != "/" && !folder.path.isEmpty {
                candidates.append(folder.appendingPathComponent("Mappings"))
                folder = folder.deletingLastPathComponent()
            }
        }
        // Sources/YidanMapping/MappingsDirectory.swift → the package root.
        let packageRoot = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent("Mappings"))
        for candidate in candidates where isMappingsDirectory(candidate) {
            return candidate.standardizedFileURL
        }
        throw YidanError(
            .configuration,
            "no Mappings directory found: pass one explicitly or set \(environmentVariable) (looked in \(currentDirectory), beside the executable, and in the package root)"
        )
    }

    /// True when `url` holds the three folders the catalog reads.
    public static func isMappingsDirectory(_ url: URL) -> Bool {
        let manager = FileManager.default
        return ["ceb", "tables", "schemas"].allSatisfy { name in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
