// computeMap: CPU-heavy work per element of an async stream, on the compute pool, in input order.
// swift run StreamPipeline
import Loom

func heavy(_ n: Int) -> Int {
    var x = n
    for _ in 0..<200_000 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
    return Int(truncatingIfNeeded: x >> 40)
}

let runtime = try LoomBuilder().prefix("stream").build()
let numbers = AsyncStream<Int> { continuation in
    for n in 0..<64 { continuation.yield(n) }
    continuation.finish()
}
try runtime.blockOn {
    var count = 0
    for try await y in numbers.computeMap({ n in (0..<n).reduce(0) { $0 + $1 * $1 } }) {
        count += 1
        if count <= 3 { print("sum of squares below", count - 1, "=", y) }
    }
    let more = AsyncStream<Int> { continuation in
        for n in 0..<64 { continuation.yield(n) }
        continuation.finish()
    }
    let out = try await more.computeMap(maxConcurrency: 4) { heavy($0) }.reduce(into: []) { $0.append($1) }
    print("transformed", count, "then", out.count, "elements; first:", out.prefix(3))
}
runtime.blockUntilIdle()
