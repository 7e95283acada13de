// swift-tools-version:6.1
import PackageDescription

// yidan — one declaration, multiple filings.
// Folder = module = one stage of the pipeline:
//   YidanIngest → YidanMapping (+ YidanXML, YidanSigning) → YidanStore → YidanDispatch → YidanReceipts
// YidanRouter composes the stages into services; `yidan` is the command line.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "yidan",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "yidan", targets: ["yidan"]),
        .executable(name: "yidan-bench", targets: ["YidanBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.21.0"),
    ],
    targets: [
        // C libraries, behind module maps and small shims.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // The model: orders, filings, tax, state machines. No I/O.
        .target(name: "YidanCore", swiftSettings: swiftSettings),
        // libxml2: writing, hardened parsing, XSD validation, C14N.
        .target(name: "YidanXML", dependencies: ["CLibXML2", "YidanCore"], swiftSettings: swiftSettings),
        // Enveloped XML-DSig over C14N with RSA (swift-crypto).
        .target(
            name: "YidanSigning",
            dependencies: [
                "YidanXML", "YidanCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Exchange rates (ECB reference rates, customs monthly rates) and RMB conversion.
        .target(name: "YidanRates", dependencies: ["YidanCore", "YidanXML"], swiftSettings: swiftSettings),
        // Platform orders and normalized order JSON → NormalizedOrder, errors by JSON pointer.
        .target(
            name: "YidanIngest",
            dependencies: ["YidanCore", "YidanRates", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Mappings/ files → CEB filings, schema-validated.
        .target(
            name: "YidanMapping",
            dependencies: ["YidanCore", "YidanXML", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // Durable store: orders, filings/outbox, attempts, receipts (SQLite via GRDB).
        .target(
            name: "YidanStore",
            dependencies: [
                "YidanCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Outbound HTTP with libcurl, DxpMsg envelopes, retries.
        .target(
            name: "YidanDispatch",
            dependencies: [
                "CCurl", "YidanCore", "YidanXML", "YidanStore", "YidanMapping",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Receipts (CEB312/412/512/622): parsing, matching, inbox folder.
        .target(
            name: "YidanReceipts",
            dependencies: [
                "YidanCore", "YidanXML", "YidanStore", "YidanIngest",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The built-in authority simulator (customs data-exchange gateway).
        .target(
            name: "YidanSimulator",
            dependencies: [
                "YidanCore", "YidanXML", "YidanMapping", "YidanSigning", "YidanDispatch",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Composition: accept an order, run dispatcher + receipt intake as services.
        .target(
            name: "YidanRouter",
            dependencies: [
                "YidanCore", "YidanIngest", "YidanMapping", "YidanSigning", "YidanStore",
                "YidanDispatch", "YidanReceipts", "YidanXML", "YidanSimulator", "YidanRates", "YidanTrace",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL store (postgres-nio): the same FilingStore protocol, shared by many workers.
        .target(
            name: "YidanStorePostgres",
            dependencies: [
                "YidanCore", "YidanStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Provenance: EPCIS 2.0 events per SKU/serial, event hashes, hash chains, the consumer's timeline.
        .target(
            name: "YidanTrace",
            dependencies: [
                "YidanCore", "YidanXML",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // `yidan serve`: merchant and broker HTTP API, dashboard, metrics, public trace pages.
        .target(
            name: "YidanServer",
            dependencies: [
                "YidanCore", "YidanRouter", "YidanStore", "YidanTrace", "YidanIngest", "YidanReceipts",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "yidan",
            dependencies: [
                "YidanCore", "YidanRouter", "YidanSimulator", "YidanStore", "YidanIngest", "YidanRates",
                "YidanServer", "YidanTrace", "YidanStorePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Child processes for tests and benchmarks, without Foundation.Process (see ChildProcess.swift).
        .target(name: "YidanChildProcess", swiftSettings: swiftSettings),
        // The benchmark suite (release build): `swift run -c release yidan-bench`.
        .executableTarget(
            name: "YidanBenchmarks",
            dependencies: [
                "YidanCore", "YidanIngest", "YidanMapping", "YidanSigning", "YidanXML", "YidanStore", "YidanRates",
                "YidanDispatch", "YidanRouter", "YidanSimulator", "YidanTrace", "YidanChildProcess",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources/YidanBenchmarks",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "YidanCoreTests", dependencies: ["YidanCore"]),
        .testTarget(name: "YidanXMLTests", dependencies: ["YidanChildProcess", "YidanXML", "YidanCore"]),
        .testTarget(name: "YidanSigningTests", dependencies: ["YidanChildProcess", "YidanSigning", "YidanXML", "YidanCore", "YidanMapping", "YidanIngest"]),
        .testTarget(name: "YidanIngestTests", dependencies: ["YidanChildProcess", "YidanIngest", "YidanCore"]),
        .testTarget(name: "YidanRatesTests", dependencies: ["YidanRates", "YidanCore"]),
        .testTarget(
            name: "YidanPlatformTests",
            dependencies: ["YidanIngest", "YidanRates", "YidanMapping", "YidanSigning", "YidanXML", "YidanCore"]
        ),
        .testTarget(
            name: "YidanMappingTests",
            dependencies: ["YidanMapping", "YidanIngest", "YidanCore", "YidanXML", "YidanSigning", "YidanRates"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "YidanStoreTests",
            dependencies: ["YidanChildProcess", "YidanStore", "YidanCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "YidanReceiptsTests", dependencies: ["YidanReceipts", "YidanStore", "YidanCore", "YidanXML", "YidanIngest"]),
        .testTarget(
            name: "YidanDispatchTests",
            dependencies: ["YidanDispatch", "YidanStore", "YidanCore", "YidanXML", "YidanMapping", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(
            name: "YidanSimulatorTests",
            dependencies: ["YidanSimulator", "YidanDispatch", "YidanMapping", "YidanSigning", "YidanXML", "YidanCore", "YidanIngest", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(
            name: "YidanRouterTests",
            dependencies: ["YidanRouter", "YidanCore", "YidanXML", "YidanMapping", "YidanIngest", "YidanStore", "YidanSigning"]
        ),
        .testTarget(
            name: "YidanEndToEndTests",
            dependencies: ["yidan", "YidanChildProcess", "YidanRouter", "YidanSimulator", "YidanStore", "YidanIngest", "YidanCore", "YidanRates"]
        ),
        .testTarget(
            name: "YidanStorePostgresTests",
            dependencies: ["YidanStorePostgres", "YidanStore", "YidanCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "YidanTraceTests",
            dependencies: ["YidanTrace", "YidanChildProcess", "YidanCore", "YidanXML"]
        ),
        .testTarget(
            name: "YidanServerTests",
            dependencies: [
                "YidanServer", "YidanRouter", "YidanStore", "YidanTrace", "YidanCore", "YidanSimulator", "YidanIngest",
                "YidanChildProcess",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
