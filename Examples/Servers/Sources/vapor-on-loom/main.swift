// Vapor 4 on Loom.
//
//   PUBLIC_FOLDER=public LOOM_ASYNC_THREADS=1 swift run vapor-on-loom serve --hostname 127.0.0.1 --port 8080
//   curl localhost:8080/primes/1000000
//
// Vapor's `serve` command stops on SIGTERM or SIGINT; then the application shuts down (its connections first),
// and only then the runtime: it waits for tracked work, stops its pools and its event loops.
import Foundation
import Loom
import Vapor
import VaporRecipe

let runtime = try LoomBuilder().envPrefix("LOOM").build()
let app = try await VaporRecipe.makeApplication(
    runtime: runtime,
    environment: try Environment.detect(),
    publicFolder: ProcessInfo.processInfo.environment["PUBLIC_FOLDER"] ?? "public"
)
do {
    try await app.execute()
} catch {
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
runtime.shutdown()
await runtime.waitForShutdown()
runtime.close()
