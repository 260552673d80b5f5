// swift-tools-version:6.1
// Loom's benchmarks: a package of their own, so that users of Loom never pull in the benchmark tool.
// Run from this directory:  swift package --allow-writing-to-package-directory benchmark
import PackageDescription

let benchmarkTargets = ["ComputePoolBenchmarks", "ParallelBenchmarks"]

let package = Package(
    name: "LoomBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Loom", path: ".."),
        // Naming the trait list explicitly keeps the unmirrored runtime interposer out of the build.
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: benchmarkTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "Loom", package: "Loom"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/\(name)",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
