import AsyncHTTPClient
import Foundation
import HummingbirdRecipe
import Logging
import Loom
import NIOCore
import ServiceLifecycle

/// A runtime small enough for a 2-CPU machine, unpinned so that tests running side by side do not share CPUs.
func makeRuntime(_ prefix: String) throws -> LoomRuntime {
    try LoomBuilder().prefix(prefix).asyncThreads(1).computeThreads(1).blockingThreads(2).pinThreads(false)
        .logger(quietLogger).build()
}

/// Warnings and errors only.
let quietLogger: Logger = {
    var logger = Logger(label: "recipe-tests")
    logger.logLevel = .warning
    return logger
}()

/// The kernel names of the process's threads now.
func threadNames() -> Set<String> {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return Set(
        tasks.compactMap { task in
            (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
    )
}

/// The files the recipes serve: `hello.txt` (3 lines) and `words.txt`.
struct PublicFolder {
    static let hello = "one\ntwo\nthree\n"
    static let words = "The loom weaves; the weaver waits.\nThe loom, the thread, the cloth.\nWeave!"

    let path: String

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loom-recipes-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.hello.write(toFile: path + "/hello.txt", atomically: true, encoding: .utf8)
        try Self.words.write(toFile: path + "/words.txt", atomically: true, encoding: .utf8)
        self.path = path
    }

    func remove() { try? FileManager.default.removeItem(atPath: self.path) }
}

/// `GET url`: the status code and the body as text.
func get(_ url: String, with client: HTTPClient) async throws -> (status: UInt, body: String) {
    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (response.status.code, String(buffer: body))
}

/// A value handed over once, from any thread, to one waiting task.
final class Handover<Value: Sendable>: Sendable {
    private let stream: AsyncStream<Value>
    private let continuation: AsyncStream<Value>.Continuation

    init() { (self.stream, self.continuation) = AsyncStream.makeStream() }

    func send(_ value: Value) { self.continuation.yield(value) }

    /// No value will come: a waiting `receive()` returns `nil`.
    func finish() { self.continuation.finish() }

    /// The first value sent (`nil` if none ever is and the handover is finished).
    func receive() async -> Value? {
        for await value in self.stream { return value }
        return nil
    }
}

/// An executable of this package, built beside the test bundle by `swift build` (and `swift test`).
func productURL(_ name: String) throws -> URL {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    let candidates = [
        bundle.deletingLastPathComponent(), Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
    ]
    .map { $0.appendingPathComponent(name) }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw ProductMissing(name: name, looked: candidates.map(\.path))
    }
    return found
}

struct ProductMissing: Error, CustomStringConvertible {
    let name: String
    let looked: [String]
    var description: String {
        "the executable \(self.name) is not built (looked at \(self.looked)); run `swift build` for this package first"
    }
}

/// The Hummingbird recipe serving a folder on loopback, in a `ServiceGroup` with its runtime (listed first), run
/// under the runtime's executor preference as `hummingbird-on-loom` does.
struct RunningHummingbird {
    /// `http://127.0.0.1:PORT`.
    let base: String
    private let group: ServiceGroup
    private let run: Task<Void, any Error>

    static func start(runtime: LoomRuntime, folder: PublicFolder) async throws -> RunningHummingbird {
        let started = Handover<Int>()
        let app = HummingbirdRecipe.makeApplication(
            runtime: runtime,
            port: 0,
            publicFolder: folder.path,
            logger: quietLogger,
            onServerRunning: { started.send($0) }
        )
        let group = ServiceGroup(services: [runtime, app], gracefulShutdownSignals: [], logger: quietLogger)
        let run = Task { try await withTaskExecutorPreference(runtime.asyncExecutor) { try await group.run() } }
        guard let port = await started.receive() else { throw NeverStarted() }
        return RunningHummingbird(base: "http://127.0.0.1:\(port)", group: group, run: run)
    }

    /// Graceful shutdown of the group; returns once the server and then the runtime have stopped.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.run.value
    }

    struct NeverStarted: Error {}
}
