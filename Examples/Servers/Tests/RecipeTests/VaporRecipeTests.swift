import AsyncHTTPClient
import Foundation
import Loom
import Testing
import Vapor
import VaporRecipe

@Suite("Vapor on Loom", .timeLimit(.minutes(5)))
struct VaporRecipeTests {
    @Test("routes answer over loopback; after Vapor shuts down, the runtime closes and leaves no thread")
    func routes() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        let runtime = try makeRuntime("vapor")
        let app = try await VaporRecipe.makeApplication(
            runtime: runtime,
            environment: .testing,
            publicFolder: folder.path
        )
        app.logger = quietLogger
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let blockingThreads = Set(runtime.threads.filter { $0.pool == .blocking }.map(\.kernelName))
        #expect(app.threadPool === runtime.blockingPool)

        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)
        let base = "http://127.0.0.1:\(port)"
        let client = HTTPClient(eventLoopGroup: runtime.eventLoopGroup)
        do {
            #expect(try await get("\(base)/primes/1000", with: client) == (200, "168\n"))
            #expect(try await get("\(base)/primes/many", with: client).status == 400)
            #expect(try await get("\(base)/primes/-1", with: client).status == 400)

            let lines = try await get("\(base)/lines/hello.txt", with: client)
            #expect(lines.status == 200 && lines.body.hasPrefix("3 lines, read on "))
            let thread = try #require(lines.body.split(separator: " ").last).trimmingCharacters(in: .newlines)
            #expect(blockingThreads.contains(thread), "read on \(thread), not one of \(blockingThreads)")
            #expect(try await get("\(base)/lines/absent.txt", with: client).status == 404)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()

        await app.server.shutdown()
        try await app.asyncShutdown()
        // Vapor shut down the thread pool it was given; the runtime's blocking calls still run.
        #expect(try await runtime.spawnBlocking { 6 * 7 } == 42)

        runtime.shutdown()
        await runtime.waitForShutdown()
        runtime.close()
        #expect(threadNames().isDisjoint(with: kernelNames))
    }
}
