// Vapor 4 on Loom: the application on the runtime's event loops (`.shared(runtime.eventLoopGroup)`), its
// `threadPool` the runtime's blocking pool, CPU work on the compute pool through `spawnCompute`.
// `vapor-on-loom` runs it; `RecipeTests` drive it over loopback.
import Loom
import RecipeWork
import Vapor

public enum VaporRecipe {
    /// The largest `limit` `/primes/:limit` accepts.
    public static let maximumLimit = 50_000_000

    /// The application, routes registered, not yet started.
    ///
    /// Routes:
    /// - `GET /primes/:limit`: how many primes there are up to `limit`, counted on the compute pool;
    /// - `GET /lines/:name`: the number of lines of a file in `publicFolder` and the thread that read it, by a
    ///   blocking read on `app.threadPool`, which is the runtime's blocking pool.
    ///
    /// Vapor takes ownership of a thread pool it is given and shuts it down with the application; the runtime
    /// copes with that (a later ``LoomRuntime/spawnBlocking(_:)`` still runs its call), and closing the runtime
    /// afterwards is still right. With `.shared`, Vapor leaves the event loops alone: the runtime stops them.
    ///
    /// - Parameters:
    ///   - runtime: the runtime whose event loops carry the server and whose pools run the work.
    ///   - environment: Vapor's environment (`.production`, or `try Environment.detect()` for the command line).
    ///   - publicFolder: where `/lines/:name` reads files from.
    public static func makeApplication(
        runtime: LoomRuntime,
        environment: Environment,
        publicFolder: String
    ) async throws -> Application {
        let app = try await Application.make(environment, .shared(runtime.eventLoopGroup))
        app.threadPool = runtime.blockingPool

        app.get("primes", ":limit") { request async throws -> String in
            guard let limit = request.parameters.get("limit", as: Int.self), (0...Self.maximumLimit).contains(limit)
            else {
                throw Abort(.badRequest, reason: "limit must be an integer in 0...\(Self.maximumLimit)")
            }
            let count = await runtime.spawnCompute { countPrimes(upTo: limit) }
            return "\(count)\n"
        }

        app.get("lines", ":name") { request async throws -> String in
            guard let name = request.parameters.get("name"), !name.contains("/"), !name.hasPrefix(".") else {
                throw Abort(.badRequest, reason: "a file name without '/' and not starting with '.'")
            }
            let path = publicFolder + "/" + name
            let read = try await request.application.threadPool.runIfActive { () -> (Int, String)? in
                // A blocking read, on Loom's blocking pool through Vapor's own thread pool API.
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
                return (lineCount(of: text), currentThreadName())
            }
            guard let (lines, thread) = read else { throw Abort(.notFound, reason: "no file \(name)") }
            return "\(lines) lines, read on \(thread)\n"
        }
        return app
    }
}
