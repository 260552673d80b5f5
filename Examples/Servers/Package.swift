// swift-tools-version:6.2
// Loom in Swift servers: one small program per framework, each with a test that drives it over loopback.
// A package of its own, so that Loom never depends on a web framework. From the repository root:
//   swift build --package-path Examples/Servers --scratch-path .build-examples
//   swift test  --package-path Examples/Servers --scratch-path .build-examples
import Foundation
import PackageDescription

/// A path dependency is named by its folder, whatever the clone is called (`main`, `loom`, `ci-check`, ...).
let loomFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()
let loom = Target.Dependency.product(name: "Loom", package: loomFolder)
let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "LoomServerExamples",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // The CPU work the recipes hand to the compute pool.
        .target(name: "RecipeWork", swiftSettings: swift6),
        .target(
            name: "HummingbirdRecipe",
            dependencies: [
                loom, "RecipeWork",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(name: "hummingbird-on-loom", dependencies: ["HummingbirdRecipe"], swiftSettings: swift6),
        .target(
            name: "VaporRecipe",
            dependencies: [loom, "RecipeWork", .product(name: "Vapor", package: "vapor")],
            swiftSettings: swift6
        ),
        .executableTarget(name: "vapor-on-loom", dependencies: ["VaporRecipe"], swiftSettings: swift6),
        .target(
            name: "HTTPClientRecipe",
            dependencies: [loom, "RecipeWork", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: swift6
        ),
        .executableTarget(name: "httpclient-on-loom", dependencies: ["HTTPClientRecipe"], swiftSettings: swift6),
        .target(
            name: "GRPCRecipe",
            dependencies: [
                loom, "RecipeWork",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(name: "grpc-on-loom", dependencies: ["GRPCRecipe"], swiftSettings: swift6),
        .testTarget(
            name: "RecipeTests",
            dependencies: [
                "HummingbirdRecipe", "VaporRecipe", "HTTPClientRecipe", "GRPCRecipe", "RecipeWork",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swift6
        ),
    ]
)
