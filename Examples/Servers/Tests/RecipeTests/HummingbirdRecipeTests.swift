import AsyncHTTPClient
import Foundation
import HummingbirdRecipe
import Loom
import Testing

@Suite("Hummingbird on Loom", .timeLimit(.minutes(5)))
struct HummingbirdRecipeTests {
    @Test("every route answers over loopback: compute pool, blocking pool, FileMiddleware, errors")
    func routes() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        let runtime = try makeRuntime("hbroutes")
        let server = try await RunningHummingbird.start(runtime: runtime, folder: folder)
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let blockingThreads = Set(runtime.threads.filter { $0.pool == .blocking }.map(\.kernelName))
        #expect(!blockingThreads.isEmpty)  // FileMiddleware took the runtime's blocking pool.
        let base = server.base
        let client = HTTPClient(eventLoopGroup: runtime.eventLoopGroup)  // A client on the same loops.
        do {
            #expect(try await get("\(base)/primes/100", with: client) == (200, "25\n"))
            #expect(try await get("\(base)/primes/1000000", with: client) == (200, "78498\n"))
            #expect(try await get("\(base)/primes/ten", with: client).status == 400)
            let negative = try await get("\(base)/primes/-3", with: client)
            #expect(negative.status == 400 && negative.body.contains("limit must be in 0..."))

            let work = try await get("\(base)/work?ms=5", with: client)
            #expect(work.status == 200 && work.body.hasPrefix("worked 5 ms, checksum "))
            #expect(try await get("\(base)/work?ms=99999", with: client).status == 400)

            #expect(try await get("\(base)/hello.txt", with: client) == (200, PublicFolder.hello))
            #expect(try await get("\(base)/absent.txt", with: client).status == 404)

            let lines = try await get("\(base)/lines/hello.txt", with: client)
            #expect(lines.status == 200)
            let thread = try #require(lines.body.split(separator: " ").last).trimmingCharacters(in: .newlines)
            #expect(lines.body.hasPrefix("3 lines, read on "))
            #expect(blockingThreads.contains(thread), "read on \(thread), not one of \(blockingThreads)")
            #expect(try await get("\(base)/lines/absent.txt", with: client).status == 404)
            #expect(try await get("\(base)/lines/..hidden", with: client).status == 400)

            #expect(try await get("\(base)/loom", with: client) == (200, "async=0 compute=0\n"))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()  // Clients first: the runtime stops its event loops when it stops.

        try await server.stop()
        #expect(threadNames().isDisjoint(with: kernelNames))
    }

    @Test("SIGTERM while idle: the process exits 0")
    func sigtermIdle() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        let server = try ServerProcess(
            executable: try productURL("hummingbird-on-loom"),
            environment: ["PORT": "0", "PUBLIC_FOLDER": folder.path, "LOOM_PREFIX": "hbidle"]
        )
        _ = try await server.port()
        server.terminate()
        let exit = await server.exit()
        #expect(exit.status == 0 && exit.reason == .exit, "stderr:\n\(exit.standardError)")
        #expect(exit.standardOutput.hasSuffix("stopped\n"))
    }

    @Test("SIGTERM with requests in flight: every request completes, then the process exits 0")
    func sigterm() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        let server = try ServerProcess(
            executable: try productURL("hummingbird-on-loom"),
            environment: [
                "PORT": "0", "PUBLIC_FOLDER": folder.path, "LOOM_PREFIX": "hbterm", "LOOM_ASYNC_THREADS": "1",
                "LOOM_COMPUTE_THREADS": "1", "LOOM_PIN_THREADS": "false",
            ]
        )
        let port = try await server.port()
        let base = "http://127.0.0.1:\(port)"
        let client = HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup)
        defer { _ = client.shutdown() }

        // Three requests of 1.5 s of CPU work each, queued on the one compute thread.
        let requests = 3
        let responses = Task {
            try await withThrowingTaskGroup(of: (UInt, String).self) { group in
                for _ in 0..<requests { group.addTask { try await get("\(base)/work?ms=1500", with: client) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        // Until all three are in the runtime (tracked compute work), asking the server itself.
        let deadline = ContinuousClock.now + .seconds(60)
        while try await get("\(base)/loom", with: client).body != "async=0 compute=\(requests)\n" {
            #expect(ContinuousClock.now < deadline, "the requests never all reached the compute pool")
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        server.terminate()

        let answered = try await responses.value
        #expect(answered.count == requests)
        for (status, body) in answered {
            #expect(status == 200 && body.hasPrefix("worked 1500 ms, checksum "), "\(status) \(body)")
        }
        let exit = await server.exit()
        #expect(exit.status == 0 && exit.reason == .exit, "stderr:\n\(exit.standardError)")
        #expect(exit.standardOutput.hasSuffix("stopped\n"))
        #expect(!exit.standardError.contains("still in flight"))
    }
}
