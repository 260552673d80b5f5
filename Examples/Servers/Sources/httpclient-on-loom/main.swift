// AsyncHTTPClient on Loom: downloads each URL given and prints its word counts.
//
//   swift run httpclient-on-loom http://127.0.0.1:8080/README.md
import Foundation
import HTTPClientRecipe
import Loom

let urls = Array(CommandLine.arguments.dropFirst())
guard !urls.isEmpty else {
    FileHandle.standardError.write(Data("usage: httpclient-on-loom URL...\n".utf8))
    exit(2)
}
let runtime = try LoomBuilder().envPrefix("LOOM").build()
let counts = try await HTTPClientRecipe.countWords(at: urls, runtime: runtime)
for count in counts {
    print("\(count.url): \(count.words) words, \(count.distinct) distinct, most frequent \"\(count.mostFrequent)\"")
}
runtime.shutdown()
await runtime.waitForShutdown()
runtime.close()
