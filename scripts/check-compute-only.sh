#!/usr/bin/env bash
# LoomCompute alone: a scratch package that lists this checkout with `traits: []` and depends only on the product
# LoomCompute must resolve no package dependency at all (`swift package show-dependencies`), build, and run its
# join/.parallel code; prints the clean build time. Then a second target of the same package, on LoomConfiguration
# with no trait, resolves a JSON configuration (no YAML, TOML or swift-configuration built in).
# Usage: scripts/check-compute-only.sh [--scratch DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${2:-$(mktemp -d /tmp/loom-compute-only.XXXXXX)}
mkdir -p "$scratch/Sources/App" "$scratch/Sources/Config"
cat >"$scratch/Package.swift" <<MANIFEST
// swift-tools-version:6.2
import PackageDescription
let package = Package(
    name: "ComputeOnly",
    dependencies: [.package(path: "$root", traits: [])],
    targets: [
        .executableTarget(name: "App", dependencies: [.product(name: "LoomCompute", package: "$(basename "$root")")]),
        .executableTarget(name: "Config", dependencies: [.product(name: "LoomConfiguration", package: "$(basename "$root")")]),
    ]
)
MANIFEST
cat >"$scratch/Sources/App/main.swift" <<'SWIFT'
import LoomCompute

let numbers = Array(0..<200_000)
let (evens, odds) = join({ numbers.filter { $0 % 2 == 0 }.count }, { numbers.filter { $0 % 2 == 1 }.count })
let total = numbers.parallel.map { $0 &* 3 }.parallel.reduce(0) { $0 &+ $1 }
var shuffled = numbers.shuffled()
shuffled.parallelSort()
precondition(evens == 100_000 && odds == 100_000 && total == numbers.reduce(0, &+) &* 3 && shuffled == numbers)
print("compute-only: ok")
SWIFT
cat >"$scratch/Sources/Config/main.swift" <<'SWIFT'
import Foundation
import LoomConfiguration

let path = NSTemporaryDirectory() + "loom-compute-only-\(UUID().uuidString).json"
let json = #"{ "prefix": "solo", "compute_threads": 2, "async_threads": 1, "pin_threads": false }"#
try json.write(toFile: path, atomically: true, encoding: .utf8)
defer { try? FileManager.default.removeItem(atPath: path) }
let configuration = try LoomBuilder().file(path).resolve()
precondition(configuration.prefix == "solo" && configuration.computeThreads == 2)
do {
    _ = try LoomBuilder().file("/tmp/loom.toml", required: false).resolve()
    fatalError("a .toml file was accepted without the TOML trait")
} catch {
    precondition("\(error)".contains("TOML support is not built in"))
}
print("configuration without traits: ok")
SWIFT
cd "$scratch"
deps=$(swift package show-dependencies --format flatlist 2>/dev/null | grep -vx "$(basename "$root")" || true)
if [ -n "$deps" ]; then
    echo "FAIL: a LoomCompute-only package resolves dependencies:"; echo "$deps"; exit 1
fi
echo "show-dependencies: none"
start=$(date +%s.%N)
swift build --product App >/tmp/loom-compute-only-build.log 2>&1 || { cat /tmp/loom-compute-only-build.log; exit 1; }
echo "clean debug build of LoomCompute + the App: $(echo "$(date +%s.%N) - $start" | bc) s"
swift run -q App
swift build --product Config >/tmp/loom-compute-only-build.log 2>&1 || { cat /tmp/loom-compute-only-build.log; exit 1; }
swift run -q Config
