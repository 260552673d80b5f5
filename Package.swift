// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "Loom",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Loom", targets: ["Loom"]),
        .executable(name: "loom", targets: ["LoomCLI"]),
        // Test fixtures, not API: fake NVML libraries the GPU tests `dlopen` by absolute path. They are dynamic
        // library products (not test dependencies) because only a product can be a `.so`; `swift build` and
        // `swift test` build every product of the root package, so each lands beside the test executable
        // (`.build/<triple>/debug/libLoomFakeNVML.so`), where Tests/LoomTests/Affinity/GPU/FakeNVML.swift finds it.
        // A package that depends on Loom builds only the products it names, so it never builds these.
        .library(name: "LoomFakeNVML", type: .dynamic, targets: ["LoomFakeNVML"]),
        .library(name: "LoomFakeNVMLLegacy", type: .dynamic, targets: ["LoomFakeNVMLLegacy"]),
    ],
    traits: [
        .trait(
            name: "TOML",
            description: "Reads .toml configuration files through TOMLKit, so a loom-rs config.toml works unchanged."
        ),
        .default(enabledTraits: ["TOML"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // The only C: GNU extensions Glibc does not expose (affinity, thread names, getcpu) and the futex.
        .target(name: "CLoomLinux"),
        // Fake libnvidia-ml.so.1 for the GPU tests (see the products above); LoomFakeNVMLLegacy is the same
        // source built without the _v2/_v3 symbols, MIG and affinity-scope functions.
        .target(name: "LoomFakeNVML", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(name: "LoomFakeNVMLLegacy", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "Loom",
            dependencies: [
                "CLoomLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "TOMLKit", package: "TOMLKit", condition: .when(traits: ["TOML"])),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "LoomCLI",
            dependencies: [
                "Loom",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Examples: one runnable program per README snippet (`swift run QuickStart`, ...), built by `swift build`.
        .executableTarget(name: "QuickStart", dependencies: ["Loom"], path: "Examples/QuickStart",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "ComputePoolTour", dependencies: ["Loom"], path: "Examples/ComputePoolTour",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "StreamPipeline", dependencies: ["Loom"], path: "Examples/StreamPipeline",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "Actors", dependencies: ["Loom"], path: "Examples/Actors",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "SynchronousMain", dependencies: ["Loom"], path: "Examples/SynchronousMain",
                          swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(
            name: "Configured",
            dependencies: ["Loom", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/Configured",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "EchoServer",
            dependencies: [
                "Loom",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Examples/EchoServer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The soak: every entry point at once on fresh runtimes of random shapes, checked results, a watchdog
        // (`swift build -c release --product LoomSoak`; `.ci/run` and `scripts/soak.sh` run it).
        .executableTarget(
            name: "LoomSoak",
            dependencies: ["Loom", .product(name: "Logging", package: "swift-log")],
            path: "Verification/Soak",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The public API as users compile it: Tests/Shared/EntryPoints.swift in Swift 6 mode, and again in a
        // main-actor-by-default target with NonisolatedNonsendingByDefault (the default for new app targets).
        .testTarget(
            name: "LoomIsolationTests",
            dependencies: ["Loom"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "LoomMainActorTests",
            dependencies: ["Loom"],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .defaultIsolation(MainActor.self),
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
        .testTarget(
            name: "LoomTests",
            dependencies: [
                "Loom",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
