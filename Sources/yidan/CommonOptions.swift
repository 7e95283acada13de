import ArgumentParser
import Foundation
import YidanRouter

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite store file (created if missing) or postgres://user@host:5432/db[?schema=name]. Env: YIDAN_STORE.")
    var store: String = ProcessInfo.processInfo.environment["YIDAN_STORE"] ?? "yidan.sqlite"
}

/// Options for commands that map and sign filings.
struct FilingOptions: ParsableArguments {
    @Option(name: .long, help: "The Mappings/ folder (default: ./Mappings, then beside the executable). Env: YIDAN_MAPPINGS.")
    var mappings: String?

    @Option(name: .long, help: "PEM private key that signs filings (default: the test key in Fixtures/keys).")
    var key: String?

    @Option(name: .long, help: "PEM X.509 certificate sent in KeyInfo (default: the test certificate in Fixtures/keys).")
    var cert: String?

    @Option(name: .long, help: "KeyName written in the signature's KeyInfo.")
    var keyName: String = "yidan-test"

    @Option(name: .long, help: "Signature algorithm: rsa-sha256 or rsa-sha1.")
    var algorithm: String = "rsa-sha256"

    func signing() throws -> SigningSettings {
        guard let algorithm = SigningSettings.Algorithm(rawValue: algorithm) else {
            throw ValidationError("--algorithm: \"\(algorithm)\" must be rsa-sha256 or rsa-sha1")
        }
        return SigningSettings(keyPath: key, certificatePath: cert, keyName: keyName, algorithm: algorithm)
    }
}
