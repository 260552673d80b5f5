// The compute pool on its own, without a runtime: join, install with parallel operations, scope, spawn.
// swift run ComputePoolTour
import Loom
import Synchronization

func fib(_ n: Int) -> Int { n < 2 ? n : fib(n - 1) + fib(n - 2) }

func parallelFib(_ n: Int) -> Int {
    if n < 25 { return fib(n) }  // a sequential cut-off keeps the joins coarse
    let (a, b) = join({ parallelFib(n - 1) }, { parallelFib(n - 2) })
    return a + b
}

let pool = try ComputePool(threads: 4, name: "work")
let (a, b) = pool.join({ fib(30) }, { fib(31) })
print("fib(30), fib(31) =", a, b)

let r = pool.install { (0..<1_000_000).parallel.map { $0 &* 3 }.reduce(0, &+) }
print("sum of 3i =", r)
print("fib(35) with join =", pool.install { parallelFib(35) })

let chunks = (0..<16).map { Array($0 * 1000..<($0 + 1) * 1000) }
let total = Atomic<Int>(0)
pool.scope { s in
    for chunk in chunks { s.spawn { total.add(chunk.reduce(0, +), ordering: .relaxed) } }
}  // every chunk is processed here
print("scope total =", total.load(ordering: .relaxed))

let done = Atomic<Bool>(false)
pool.spawn { done.store(true, ordering: .releasing) }  // fire and forget
pool.close()  // queued work runs before the threads exit
print("spawned job ran:", done.load(ordering: .acquiring))

var words = ["pear", "fig", "apple", "kiwi", "banana"]
words.parallelSort()
print(words, words.parallel.contains { $0.hasPrefix("ki") })
