// Hummingbird 2 on Loom, run as swift-service-lifecycle services: the runtime first, so that it stops last.
//
//   PORT=8080 PUBLIC_FOLDER=public LOOM_ASYNC_THREADS=1 LOOM_COMPUTE_THREADS=1 swift run hummingbird-on-loom
//   curl localhost:8080/primes/1000000
//
// SIGTERM or SIGINT shuts it down gracefully: the server stops accepting, requests in flight finish (their
// compute work included), then the runtime waits for its tracked work, stops its threads, and the program exits 0.
import Foundation
import HummingbirdRecipe
import Logging
import Loom
import ServiceLifecycle

let environment = ProcessInfo.processInfo.environment
var logger = Logger(label: "hummingbird-on-loom")
logger.logLevel = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
let runtime = try LoomBuilder().envPrefix("LOOM").logger(logger).build()
let app = HummingbirdRecipe.makeApplication(
    runtime: runtime,
    port: Int(environment["PORT"] ?? "") ?? 8080,
    publicFolder: environment["PUBLIC_FOLDER"] ?? "public",
    logger: logger,
    onServerRunning: { port in
        // One unbuffered line a supervisor (or the recipe's test) can wait for.
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))
    }
)
let group = ServiceGroup(
    services: [runtime, app],
    gracefulShutdownSignals: [.sigterm, .sigint],
    logger: logger
)
// Under the runtime's executor preference, the group's tasks and every request handler Hummingbird starts in
// them run on Loom's async pool (SE-0417: child tasks inherit the preference) rather than Swift's global pool.
try await withTaskExecutorPreference(runtime.asyncExecutor) {
    try await group.run()
}
FileHandle.standardOutput.write(Data("stopped\n".utf8))
