// swift-tools-version:6.2
// Loom — pinned async and compute pools for Swift. MIT License (see LICENSE).
import PackageDescription

// Loom's modules, lowest first (Documentation/Internals/Architecture.md draws the graph):
//
//   CLoomSystem         C: the GNU extensions Glibc does not expose (affinity, thread names, getcpu), the futex,
//                       and the thread-local slots the pools use.
//   LoomSystem          internal: parker, locks, cache padding, CPUSet, pinned and named threads, LoomError.
//   LoomCompute         product: the work-stealing ComputePool, join/scope/spawn/install, `.parallel`, parallelSort.
//                       No package dependency, no Foundation.
//   LoomConfiguration   product: LoomBuilder's layers (files, environment, code, flags), the topology, the CPU plan
//                       and GPU locality, resolved into a LoomConfiguration without starting a thread. File formats
//                       and swift-configuration come with traits.
//   Loom                product: the async pool, LoomRuntime, the bridge (spawnCompute, computeMap), the NIO event
//                       loop group, the blocking pool, logging, the ServiceLifecycle `Service`; re-exports LoomCompute
//                       and LoomConfiguration. Needs trait `Runtime`.
//   LoomArgumentParser  product: LoomArguments (`--loom-*` flags) for swift-argument-parser commands.
//   LoomTesting         product: the Swift Testing trait `.loomRuntime(asyncThreads:computeThreads:)`.
//   LoomCLI             the `loom` executable (demo, info, top).
//
// Every package dependency is behind a trait, so a package that lists Loom with `traits: []` and uses only
// LoomCompute (or LoomConfiguration) resolves none of them. The defaults give runtime users everything, a loom-rs
// config.toml included.

let package = Package(
    name: "Loom",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LoomCompute", targets: ["LoomCompute"]),
        .library(name: "LoomConfiguration", targets: ["LoomConfiguration"]),
        .library(name: "Loom", targets: ["Loom"]),
        .library(name: "LoomArgumentParser", targets: ["LoomArgumentParser"]),
        .library(name: "LoomTesting", targets: ["LoomTesting"]),
        .executable(name: "loom", targets: ["LoomCLI"]),
    ],
    traits: [
        .trait(
            name: "Runtime",
            description:
                "The async pool and LoomRuntime (products Loom, LoomTesting, the loom executable): swift-nio, "
                + "swift-log, swift-metrics (CoreMetrics), swift-service-lifecycle."
        ),
        .trait(
            name: "ArgumentParser",
            description: "LoomArguments, the --loom-* flags for swift-argument-parser (product LoomArgumentParser)."
        ),
        .trait(
            name: "SwiftConfiguration",
            description: "LoomBuilder.configReader(_:): Loom's keys from an application's swift-configuration reader."
        ),
        .trait(name: "YAML", description: "Reads .yaml/.yml configuration files (Yams)."),
        .trait(
            name: "TOML",
            description: "Reads .toml configuration files (TOMLKit), so a loom-rs config.toml works unchanged."
        ),
        .default(enabledTraits: ["Runtime", "ArgumentParser", "SwiftConfiguration", "YAML", "TOML"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        .target(name: "CLoomSystem"),
        .target(name: "LoomSystem", dependencies: ["CLoomSystem"], swiftSettings: swift6),
        .target(name: "LoomCompute", dependencies: ["CLoomSystem", "LoomSystem"], swiftSettings: swift6),
        .target(
            name: "LoomConfiguration",
            dependencies: [
                "CLoomSystem", "LoomSystem",
                .product(
                    name: "Configuration",
                    package: "swift-configuration",
                    condition: .when(traits: ["SwiftConfiguration"])
                ),
                .product(name: "Yams", package: "Yams", condition: .when(traits: ["YAML"])),
                .product(name: "TOMLKit", package: "TOMLKit", condition: .when(traits: ["TOML"])),
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "Loom",
            dependencies: [
                "CLoomSystem", "LoomSystem", "LoomCompute", "LoomConfiguration", nio("NIOCore"), nio("NIOPosix"),
                logging, metrics, serviceLifecycle,
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "LoomArgumentParser",
            dependencies: ["LoomSystem", "LoomConfiguration", argumentParser],
            swiftSettings: swift6
        ),
        .target(name: "LoomTesting", dependencies: ["Loom"], swiftSettings: swift6),
        .executableTarget(
            name: "LoomCLI",
            dependencies: ["Loom", "LoomArgumentParser", argumentParser],
            swiftSettings: swift6
        ),

        // Examples: one runnable program per README snippet (`swift run QuickStart`, ...), built by `swift build`.
        example("QuickStart"),
        example("ComputePoolTour"),
        example("StreamPipeline"),
        example("Actors"),
        example("SynchronousMain"),
        example("Configured", ["LoomArgumentParser", argumentParser]),
        example("EchoServer", [nio("NIOCore"), nio("NIOPosix")]),
        // The soak: every entry point at once on fresh runtimes of random shapes, checked results, a watchdog
        // (`swift build -c release --product LoomSoak`; `.ci/run` and `scripts/soak.sh` run it).
        .executableTarget(
            name: "LoomSoak",
            dependencies: ["Loom", logging],
            path: "Verification/Soak",
            swiftSettings: swift6
        ),

        // The public API as users compile it: Tests/Shared/EntryPoints.swift in Swift 6 mode, and again in a
        // main-actor-by-default target with NonisolatedNonsendingByDefault (the default for new app targets).
        .testTarget(
            name: "LoomIsolationTests",
            dependencies: ["Loom", serviceLifecycle, metrics],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "LoomMainActorTests",
            dependencies: ["Loom", serviceLifecycle, metrics],
            swiftSettings: swift6 + [
                .defaultIsolation(MainActor.self), .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
            ]
        ),
        // LoomCompute on its own, importing nothing else: what a compute-only user compiles against.
        .testTarget(name: "LoomComputeTests", dependencies: ["LoomCompute"], swiftSettings: swift6),
        // The testing trait as its users write it.
        .testTarget(name: "LoomTestingTests", dependencies: ["Loom", "LoomTesting"], swiftSettings: swift6),
        .testTarget(
            name: "LoomTests",
            dependencies: [
                "CLoomSystem", "LoomSystem", "LoomCompute", "LoomConfiguration", "Loom", "LoomArgumentParser",
                "LoomCLI",
                logging, metrics, serviceLifecycle, argumentParser, nio("NIOCore"), nio("NIOPosix"),
                .product(
                    name: "Configuration",
                    package: "swift-configuration",
                    condition: .when(traits: ["SwiftConfiguration"])
                ),
                .product(name: "PropertyBased", package: "swift-property-based", condition: .when(traits: ["Runtime"])),
                .product(name: "MetricsTestKit", package: "swift-metrics", condition: .when(traits: ["Runtime"])),
            ],
            swiftSettings: swift6
        ),
    ]
)

var swift6: [SwiftSetting] { [.swiftLanguageMode(.v6)] }

/// A swift-nio module, for targets that need the runtime.
func nio(_ name: String) -> Target.Dependency {
    .product(name: name, package: "swift-nio", condition: .when(traits: ["Runtime"]))
}

var logging: Target.Dependency {
    .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Runtime"]))
}

var metrics: Target.Dependency {
    .product(name: "CoreMetrics", package: "swift-metrics", condition: .when(traits: ["Runtime"]))
}

var serviceLifecycle: Target.Dependency {
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Runtime"]))
}

var argumentParser: Target.Dependency {
    .product(name: "ArgumentParser", package: "swift-argument-parser", condition: .when(traits: ["ArgumentParser"]))
}

@MainActor func example(_ name: String, _ extra: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: ["Loom"] + extra, path: "Examples/\(name)", swiftSettings: swift6)
}
