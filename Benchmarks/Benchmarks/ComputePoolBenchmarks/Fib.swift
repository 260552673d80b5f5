import Benchmark
import Loom

// P3: recursive fib(30), join at every level (pure overhead) and with a sequential cut-off at 20, against the
// sequential recursion and `async let` on the global executor.

@inline(never)
func fibSequential(_ n: Int) -> Int { n < 2 ? n : fibSequential(n - 1) + fibSequential(n - 2) }

func fibJoin(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fibJoin(n - 1) }, { fibJoin(n - 2) })
    return a + b
}

func fibJoinCutoff(_ n: Int, cutoff: Int) -> Int {
    if n <= cutoff { return fibSequential(n) }
    let (a, b) = join({ fibJoinCutoff(n - 1, cutoff: cutoff) }, { fibJoinCutoff(n - 2, cutoff: cutoff) })
    return a + b
}

func fibAsyncLet(_ n: Int) async -> Int {
    if n < 2 { return n }
    async let a = fibAsyncLet(n - 1)
    async let b = fibAsyncLet(n - 2)
    return await a + b
}

func registerFibBenchmarks() {
    let n = 30
    let pool = try! ComputePool(threads: 2, name: "bench")
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxIterations: 30)

    Benchmark("P3 fib(30) sequential (baseline)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(fibSequential(n)) }
    }
    Benchmark("P3 fib(30) join every level", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pool.install { fibJoin(n) }) }
    }
    Benchmark("P3 fib(30) join, sequential below 20", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pool.install { fibJoinCutoff(n, cutoff: 20) }) }
    }
    Benchmark(
        "P3 fib(30) async let (baseline)",
        configuration: .init(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxIterations: 3)
    ) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(await fibAsyncLet(n)) }
    }
}
