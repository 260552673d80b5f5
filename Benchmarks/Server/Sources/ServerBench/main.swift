// A Hummingbird server with two routes, for Benchmarks/server.sh:
//   GET /cheap   a few bytes, no work
//   GET /heavy   ROUNDS rounds of xorshift: a fixed amount of CPU work
//
//   ServerBench calibrate MS         prints the ROUNDS that take about MS milliseconds here
//   ServerBench plain PORT ROUNDS    plain Hummingbird: handlers on Swift's global executor, /heavy computed in the
//                                    handler
//   ServerBench loom PORT ROUNDS     Hummingbird on a Loom runtime (LoomBuilder() defaults plus LOOM_* variables): I/O
//                                    on its event loops, handlers on its async pool, /heavy through `spawnCompute`
import Hummingbird
import Loom

#if canImport(Glibc)
import Glibc
#endif

/// `rounds` rounds of xorshift64: fixed work, whatever the scheduler does meanwhile.
@inline(never)
func work(rounds: Int) -> UInt64 {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<rounds {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
    }
    return state
}

/// The rounds that take about `milliseconds` here: the median of 9 timed runs.
func calibrate(milliseconds: Int) -> Int {
    let clock = ContinuousClock()
    let probe = 1_000_000
    var perMillisecond: [Double] = []
    var sink: UInt64 = 0
    for round in 0..<9 {
        let start = clock.now
        sink &+= work(rounds: probe + round)  // used below, so the call is not optimized away
        let elapsed = clock.now - start
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        perMillisecond.append(Double(probe) / ms)
    }
    if sink == 0 { print("") }
    return Int(perMillisecond.sorted()[4] * Double(milliseconds))
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count == 2, arguments[0] == "calibrate", let milliseconds = Int(arguments[1]) {
    print(calibrate(milliseconds: milliseconds))
    exit(0)
}
guard arguments.count == 3, ["plain", "loom"].contains(arguments[0]),
    let port = Int(arguments[1]), let heavyRounds = Int(arguments[2])
else {
    print("usage: ServerBench calibrate MS | ServerBench plain|loom PORT ROUNDS")
    exit(64)
}

let router = Router()
router.get("/cheap") { _, _ in "ok\n" }
let configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: port))

if arguments[0] == "plain" {
    router.get("/heavy") { _, _ in "\(work(rounds: heavyRounds) & 1)\n" }
    let app = Application(router: router, configuration: configuration)
    try await app.runService()
} else {
    let runtime = try LoomBuilder().envPrefix("LOOM").build()
    print("loom: \(runtime.threads.filter { $0.pool != .blocking }.map(\.description).joined(separator: "; "))")
    fflush(nil)  // all streams: the line survives the kill at the end of the run
    router.get("/heavy") { _, _ in "\(await runtime.spawnCompute { work(rounds: heavyRounds) } & 1)\n" }
    let app = Application(
        router: router,
        configuration: configuration,
        eventLoopGroupProvider: .shared(runtime.eventLoopGroup)
    )
    // Handlers inherit the task's executor preference (Hummingbird adds them to a task group): the async pool.
    try await Task(executorPreference: runtime.asyncExecutor) { try await app.runService() }.value
    runtime.close()
}
