// Hummingbird 2 on Loom: the server's I/O on the runtime's event loops, CPU work on the compute pool through
// `spawnCompute`, files served and read on the runtime's blocking pool. `hummingbird-on-loom` runs it in a
// `ServiceGroup` with the runtime; `RecipeTests` drive it over loopback.
import Foundation
import Hummingbird
import Logging
import Loom
import NIOCore
import RecipeWork

public enum HummingbirdRecipe {
    /// The largest `limit` `/primes/:limit` accepts (the sieve takes about that many bytes).
    public static let maximumLimit = 50_000_000

    /// The application, not yet running.
    ///
    /// Routes:
    /// - `GET /primes/:limit`: how many primes there are up to `limit`, counted on the compute pool;
    /// - `GET /work?ms=N`: `N` ms of CPU work on the compute pool (a request's CPU-heavy part);
    /// - `GET /lines/:name`: the number of lines of a file in `publicFolder` and the thread that read it, by a
    ///   blocking call on the runtime's blocking pool (`spawnBlocking`);
    /// - `GET /loom`: the runtime's tracked tasks in flight, `async=A compute=C`;
    /// - any other path: a file from `publicFolder`, through Hummingbird's `FileMiddleware` on the blocking pool.
    ///
    /// - Parameters:
    ///   - runtime: the runtime whose event loops carry the server and whose pools run the work.
    ///   - host: the address to listen on.
    ///   - port: the port; `0` picks a free one (reported to `onServerRunning`).
    ///   - publicFolder: where files are served from.
    ///   - logger: the server's logger.
    ///   - onServerRunning: called with the port once the server listens.
    public static func makeApplication(
        runtime: LoomRuntime,
        host: String = "127.0.0.1",
        port: Int = 8080,
        publicFolder: String,
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: FileMiddleware(publicFolder, threadPool: runtime.blockingPool, logger: logger))

        router.get("/primes/:limit") { _, context -> String in
            let limit = try context.parameters.require("limit", as: Int.self)
            guard (0...Self.maximumLimit).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit must be in 0...\(Self.maximumLimit), got \(limit)\n")
            }
            let count = await runtime.spawnCompute { countPrimes(upTo: limit) }
            return "\(count)\n"
        }

        router.get("/work") { request, _ -> String in
            let milliseconds = request.uri.queryParameters.get("ms", as: Int.self) ?? 10
            guard (0...10_000).contains(milliseconds) else {
                throw HTTPError(.badRequest, message: "ms must be in 0...10000, got \(milliseconds)\n")
            }
            let checksum = await runtime.spawnCompute { burn(milliseconds: milliseconds) }
            return "worked \(milliseconds) ms, checksum \(String(checksum, radix: 16))\n"
        }

        router.get("/lines/:name") { _, context -> String in
            let name = try context.parameters.require("name")
            guard !name.contains("/"), !name.hasPrefix(".") else {
                throw HTTPError(.badRequest, message: "a file name without '/' and not starting with '.'\n")
            }
            let path = publicFolder + "/" + name
            let (lines, thread) = try await runtime.spawnBlocking { () throws(HTTPError) -> (Int, String) in
                // A blocking read: fine on the blocking pool, a stall anywhere else.
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw HTTPError(.notFound, message: "no file \(name)\n")
                }
                return (lineCount(of: text), currentThreadName())
            }
            return "\(lines) lines, read on \(thread)\n"
        }

        router.get("/loom") { _, _ -> String in
            "async=\(runtime.asyncTasksInFlight) compute=\(runtime.computeTasksInFlight)\n"
        }

        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "loom-recipe"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(runtime.eventLoopGroup),
            logger: logger
        )
    }
}
