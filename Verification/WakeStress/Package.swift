// swift-tools-version:6.1
// WakeStress: the wait/wake paths under sparse load, built against any Loom checkout — the current one, or an old
// commit to compare (it uses only public calls that `e75a742` already had). Each step is preceded by a random busy
// pause, so the threads of both pools go idle and are woken on almost every step. Not part of CI (Loom's own soak
// has sparse rounds); see Documentation/Internals/SleepProtocol.md for what it was used for.
//
//   cd Verification/WakeStress && swift build -c release --scratch-path /tmp/ws-build
//   /tmp/ws-build/release/WakeStress 1200                       # seconds; shapes rotate per round
//   WS_ASYNC=1 WS_COMPUTE=3 WS_PIN=1 /tmp/ws-build/release/WakeStress 600
//   git worktree add /tmp/old-loom e75a742 && LOOM_PATH=/tmp/old-loom swift build -c release --scratch-path /tmp/ws-old
import Foundation
import PackageDescription

let loomURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["LOOM_PATH"] ?? "../..").standardizedFileURL
let package = Package(
    name: "WakeStress",
    dependencies: [.package(path: loomURL.path)],
    targets: [
        .executableTarget(
            name: "WakeStress",
            dependencies: [.product(name: "Loom", package: loomURL.lastPathComponent)],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
