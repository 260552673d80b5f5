// swift-tools-version:6.1
// Loom's benchmarks: a package of their own, so that users of Loom never pull in the benchmark tool.
// Run from this directory:  swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let benchmarkTargets = ["ComputePoolBenchmarks", "ParallelBenchmarks", "RuntimeBenchmarks"]

let package = Package(
    name: "LoomBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Loom", path: ".."),
        // Naming the trait list explicitly keeps the unmirrored runtime interposer out of the build.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // For the async-pool design spike (a NIO event loop as a TaskExecutor) in RuntimeBenchmarks.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        // O1/O4: a metrics factory for the observability overhead benchmarks.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    ],
    targets: [
        // Instruction counts for callgrind (Benchmarks/callgrind.sh): a plain program, no benchmark harness.
        .executableTarget(
            name: "InstructionCounts",
            dependencies: [.product(name: "Loom", package: "Loom")],
            path: "InstructionCounts",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // P4's per-element work, shared by ParallelBenchmarks and ParallelInterleaved.
        .target(name: "P4Work", path: "P4Work", swiftSettings: [.swiftLanguageMode(.v6)]),
        // P4 with its baselines interleaved round by round (Benchmarks/parallel-interleaved.sh).
        .executableTarget(
            name: "ParallelInterleaved",
            dependencies: [.product(name: "Loom", package: "Loom"), "P4Work"],
            path: "ParallelInterleaved",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // P1 in fresh processes (Benchmarks/fresh-process.sh).
        .executableTarget(
            name: "FreshProcess",
            dependencies: [.product(name: "Loom", package: "Loom")],
            path: "FreshProcess",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ] + benchmarkTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "Loom", package: "Loom"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                "P4Work",
            ],
            path: "Benchmarks/\(name)",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
