// LoomCompute on its own: this target depends on LoomCompute alone and imports nothing else of Loom, so it is
// what a compute-only user compiles against (`.package(url: …, traits: [])` + product LoomCompute).
import LoomCompute
import Testing

@Suite("LoomCompute alone")
struct ComputeOnlyTests {
    @Test("join, scope and spawn on the shared pool")
    func sharedPool() {
        let (a, b) = join({ (0..<1_000).reduce(0, +) }, { (0..<100).reduce(0, +) })
        #expect(a == 499_500)
        #expect(b == 4_950)
        let total = scope { scope -> Int in
            for _ in 0..<4 { scope.spawn { _ = (0..<1_000).reduce(0, &+) } }
            return 4
        }
        #expect(total == 4)
    }

    @Test(".parallel operations and parallelSort")
    func parallelOperations() {
        let numbers = Array((0..<10_000).reversed())
        #expect(numbers.parallel.map { $0 * 2 } == numbers.map { $0 * 2 })
        #expect(numbers.parallel.filter { $0 % 3 == 0 } == numbers.filter { $0 % 3 == 0 })
        #expect(numbers.parallel.reduce(0) { $0 &+ $1 } == numbers.reduce(0, &+))
        var sorted = numbers
        sorted.parallelSort()
        #expect(sorted == numbers.sorted())
    }

    @Test("a pool of its own: install, then close")
    func ownPool() throws {
        let pool = try ComputePool(threads: 2, name: "only")
        defer { pool.close() }
        #expect(pool.threadCount == 2)
        let sum = pool.install { Array(0..<1_000).parallel.map { $0 + 1 }.reduce(0, +) }
        #expect(sum == 500_500)
    }

    @Test("a bad thread count is a LoomError naming the value")
    func badThreadCount() {
        #expect(throws: LoomError.self) { try ComputePool(threads: 0) }
        do {
            _ = try ComputePool(threads: 5_000)
            Issue.record("5 000 threads were accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.value == "5000")
        }
    }

    @Test("awaited .parallel from async code")
    func awaited() async {
        let squares = await Array(0..<1_000).parallel.map { $0 * $0 }
        #expect(squares == (0..<1_000).map { $0 * $0 })
    }
}
