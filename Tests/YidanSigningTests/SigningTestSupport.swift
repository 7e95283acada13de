import Foundation
import Testing
import YidanSigning
import YidanXML
import YidanChildProcess

enum SigningTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let keyURL = packageRoot.appendingPathComponent("Fixtures/keys/test-signing-key.pem")
    static let certificateURL = packageRoot.appendingPathComponent("Fixtures/keys/test-signing-cert.pem")
    static let importSamples = packageRoot
        .appendingPathComponent("../shared/reference/ceb/202205/samples/import", isDirectory: true)
        .standardizedFileURL
    static let cebNamespace = "http://www.chinaport.gov.cn/ceb"
    static let dsNamespace = "http://www.w3.org/2000/09/xmldsig#"

    static func signer(_ algorithm: SignatureAlgorithm, withCertificate: Bool = true) throws -> PEMRSASigner {
        try PEMRSASigner(
            privateKeyPEM: String(contentsOf: keyURL, encoding: .utf8),
            certificatePEM: withCertificate ? String(contentsOf: certificateURL, encoding: .utf8) : nil,
            keyName: "0001",
            algorithm: algorithm
        )
    }

    /// A small CEB621-shaped inventory document with Chinese text and ExtendMessage last.
    static func inventoryDocument() -> XMLDocument {
        let document = XMLDocument(rootName: "CEB621Message", namespaceURI: cebNamespace, prefix: "ceb")
        guard let root = document.root else { return document }
        root.setAttribute("guid", "4CDE1CFD-EDED-46B1-946C-B8022E42FC94")
        root.setAttribute("version", "1.0")
        let head = root.addChild("Inventory").addChild("InventoryHead")
        head.addChild("orderNo", text: "order20160321116421002")
        head.addChild("ebpName", text: "东方物通科技(北京)有限公司")
        head.addChild("note", text: "a & b < c")
        root.addChild("BaseTransfer").addChild("copCode", text: "1105910159")
        root.addChild("ExtendMessage").addChild("name", text: "扩展")
        return document
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("yidan-signing-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a command-line tool; nil when it is not installed at any of `candidates`.
    static func run(_ candidates: [String], _ arguments: [String]) throws -> (status: Int32, output: String)? {
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        let process = try ChildProcess.run(tool, arguments)
        return (process.status, process.stdout + process.stderr)
    }

    /// A second, throw-away RSA 2048 key made with openssl, for mismatch tests.
    static func generatedKeyPEM(in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("other-key.pem")
        let result = try run(["/usr/bin/openssl", "/usr/local/bin/openssl"],
                             ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.path])
        guard let result, result.status == 0 else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "openssl is needed to make a second test key"])
        }
        return try String(contentsOf: file, encoding: .utf8)
    }
}
