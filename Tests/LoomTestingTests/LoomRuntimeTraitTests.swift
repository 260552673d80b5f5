import Loom
import LoomTesting
import Testing

@Suite("the .loomRuntime test trait")
struct LoomRuntimeTraitTests {
    @Test(.loomRuntime(asyncThreads: 1, computeThreads: 2))
    func runsInsideAFreshRuntime() async throws {
        let runtime = try #require(LoomRuntime.current)
        #expect(runtime.threads.filter { $0.pool == .async }.count == 1)
        #expect(runtime.threads.filter { $0.pool == .compute }.count == 2)
        #expect(runtime.configuration.prefix == "test")
        // Free functions find it: the body runs on its async pool.
        let sum = await spawnCompute { (0..<1_000).reduce(0, +) }
        #expect(sum == 499_500)
        let doubled = await Array(0..<100).parallel.map { $0 * 2 }
        #expect(doubled.last == 198)
        #expect(runtime.asyncTasksInFlight == 1)  // The body itself is tracked.
    }

    @MainActor
    @Test("a main-actor test body: LoomRuntime.current follows it onto the main actor", .loomRuntime())
    func fromTheMainActor() async throws {
        let runtime = try #require(LoomRuntime.current)
        #expect(runtime.configuration.prefix == "test")
        let answer = await spawnCompute { 6 * 7 }
        #expect(answer == 42)
    }

    @Test(.loomRuntime(asyncThreads: 2, computeThreads: 1), arguments: [1, 2, 3])
    func eachCaseGetsItsOwnRuntime(value: Int) async throws {
        let runtime = try #require(LoomRuntime.current)
        #expect(runtime.threads.filter { $0.pool == .async }.count == 2)
        #expect(runtime.asyncTasksInFlight == 1)  // Only this case's body: no other case shares the runtime.
        let tripled = await spawnCompute { value * 3 }
        #expect(tripled == value * 3)
    }

    @Test("work the body leaves running is waited for before the runtime closes")
    func leftoverWorkFinishes() async throws {
        let finished = Flag()
        try await LoomRuntimeTrait.loomRuntime(computeThreads: 1).provideScope(
            for: Test.current!,
            testCase: Test.Case.current
        ) {
            let runtime = LoomRuntime.current!
            _ = runtime.spawnAsync {
                _ = await runtime.spawnCompute { (0..<100_000).reduce(0, &+) }
                finished.set()
            }
        }
        #expect(finished.isSet)  // provideScope returned only after the spawned task had finished.
    }

    @Test("an error thrown by the body comes out of the scope, after the runtime is closed")
    func bodyErrors() async throws {
        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await LoomRuntimeTrait.loomRuntime(computeThreads: 1).provideScope(
                for: Test.current!,
                testCase: Test.Case.current
            ) { throw Failure() }
        }
    }

    @Test("leaked work is reported as an issue after the timeout")
    func leakedWorkIsAnIssue() async throws {
        let release = Flag()
        try await withKnownIssue {
            try await LoomRuntimeTrait.loomRuntime(computeThreads: 1, leakTimeout: .milliseconds(20)).provideScope(
                for: Test.current!,
                testCase: Test.Case.current
            ) {
                let runtime = LoomRuntime.current!
                _ = runtime.spawnAsync { await release.wait() }
            }
        } matching: { issue in
            issue.description.contains("Tracked work was still in flight")
        }
        release.set()
    }
}

/// A flag a task can wait for (no sleeps).
private final class Flag: Sendable {
    private let state = LockedValue<(set: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    var isSet: Bool { self.state.withLock { $0.set } }

    func set() {
        let waiters = self.state.withLock { state -> [UnsafeContinuation<Void, Never>] in
            state.set = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let now = self.state.withLock { state -> Bool in
                if state.set { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
