// swift-tools-version:6.2
// The server benchmark (Benchmarks/server.sh): a real Hummingbird server, plain or on Loom, loaded with wrk over
// loopback. A package of its own, so that the other benchmarks never build Hummingbird.
import PackageDescription

let package = Package(
    name: "LoomServerBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Loom", path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        .executableTarget(
            name: "ServerBench",
            dependencies: [
                .product(name: "Loom", package: "Loom"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
