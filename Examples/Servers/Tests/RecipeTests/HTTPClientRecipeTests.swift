import Foundation
import HTTPClientRecipe
import Loom
import RecipeWork
import Testing

@Suite("AsyncHTTPClient on Loom", .timeLimit(.minutes(5)))
struct HTTPClientRecipeTests {
    @Test("downloads over loopback and counts on the compute pool; a 404 is an error naming the URL")
    func countWords() async throws {
        let folder = try PublicFolder()
        defer { folder.remove() }
        // The server: the Hummingbird recipe on a runtime of its own.
        let server = try await RunningHummingbird.start(runtime: try makeRuntime("ahcsrv"), folder: folder)
        let base = server.base

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

        try await server.stop()
    }
}
