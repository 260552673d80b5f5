import Foundation
import HTTPClientRecipe
import HummingbirdRecipe
import Loom
import RecipeWork
import ServiceLifecycle
import Testing

@Suite("AsyncHTTPClient on Loom", .timeLimit(.minutes(5)))
struct HTTPClientRecipeTests {
    @Test("downloads over loopback and counts on the compute pool; a 404 is an error naming the URL")
    func countWords() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        // The server: the Hummingbird recipe on a runtime of its own.
        let serverRuntime = try makeRuntime("ahcsrv")
        let started = Handover<Int>()
        let app = HummingbirdRecipe.makeApplication(
            runtime: serverRuntime,
            port: 0,
            publicFolder: folder.path,
            logger: quietLogger,
            onServerRunning: { started.send($0) }
        )
        let group = ServiceGroup(services: [serverRuntime, app], gracefulShutdownSignals: [], logger: quietLogger)
        let run = Task { try await group.run() }
        let port = try #require(await started.receive())
        let base = "http://127.0.0.1:\(port)"

        let runtime = try makeRuntime("ahc")
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let counts = try await HTTPClientRecipe.countWords(
            at: ["\(base)/words.txt", "\(base)/hello.txt"],
            runtime: runtime
        )
        let expected = wordCounts(in: PublicFolder.words)
        #expect(
            counts == [
                .init(
                    url: "\(base)/words.txt",
                    words: expected.values.reduce(0, +),
                    distinct: expected.count,
                    mostFrequent: "the"
                ),
                .init(url: "\(base)/hello.txt", words: 3, distinct: 3, mostFrequent: "one"),
            ]
        )
        #expect(expected["the"] == 5 && expected["loom"] == 2)

        let missing = await #expect(throws: HTTPClientRecipe.UnexpectedStatus.self) {
            try await HTTPClientRecipe.countWords(at: ["\(base)/absent.txt"], runtime: runtime)
        }
        #expect(missing?.description == "GET \(base)/absent.txt answered 404, not 200")

        // The recipe shut its clients down, so the runtime may stop its event loops now.
        runtime.shutdown()
        await runtime.waitForShutdown()
        runtime.close()
        #expect(threadNames().isDisjoint(with: kernelNames))

        await group.triggerGracefulShutdown()
        try await run.value
    }
}
