// AsyncHTTPClient on Loom: the client's connections on the runtime's event loops, the downloaded text's word
// count on the compute pool. The client is shut down before the runtime, as it must be. `httpclient-on-loom`
// runs it; `RecipeTests` drive it against a server on loopback.
import AsyncHTTPClient
import Loom
import NIOCore
import RecipeWork

public enum HTTPClientRecipe {
    /// What was counted in one document.
    public struct Count: Sendable, Equatable {
        public let url: String
        /// All words, repeats included.
        public let words: Int
        /// Distinct words (compared in lower case).
        public let distinct: Int
        /// The most frequent word (the first in alphabetical order on a tie); empty for a document without words.
        public let mostFrequent: String

        public init(url: String, words: Int, distinct: Int, mostFrequent: String) {
            self.url = url
            self.words = words
            self.distinct = distinct
            self.mostFrequent = mostFrequent
        }
    }

    /// A response that was not `200 OK`.
    public struct UnexpectedStatus: Error, CustomStringConvertible {
        public let url: String
        public let status: UInt
        public var description: String { "GET \(self.url) answered \(self.status), not 200" }
    }

    /// Downloads each of `urls` in turn with an `HTTPClient` on `runtime.eventLoopGroup` and counts its words on
    /// the compute pool; the client is shut down before this returns (or throws).
    ///
    /// - Parameters:
    ///   - urls: `http://` addresses of text documents.
    ///   - runtime: the runtime whose event loops carry the connections and whose compute pool counts.
    ///   - maximumBodySize: the largest body read, in bytes; a larger one is an error.
    /// - Throws: ``UnexpectedStatus``, or AsyncHTTPClient's and NIO's errors.
    public static func countWords(
        at urls: [String],
        runtime: LoomRuntime,
        maximumBodySize: Int = 16 << 20
    ) async throws -> [Count] {
        let client = HTTPClient(eventLoopGroup: runtime.eventLoopGroup, configuration: .singletonConfiguration)
        do {
            var counts: [Count] = []
            for url in urls {
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                guard response.status == .ok else { throw UnexpectedStatus(url: url, status: response.status.code) }
                let text = String(buffer: try await response.body.collect(upTo: maximumBodySize))
                let count = await runtime.spawnCompute { () -> Count in
                    let words = wordCounts(in: text)
                    let top = words.max { ($0.value, $1.key) < ($1.value, $0.key) }
                    return Count(
                        url: url,
                        words: words.values.reduce(0, +),
                        distinct: words.count,
                        mostFrequent: top?.key ?? ""
                    )
                }
                counts.append(count)
            }
            try await client.shutdown()
            return counts
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
