import Synchronization

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#endif

/// Test sizes: small by default, multiplied by `LOOMTESTS_SCALE` (e.g. `LOOMTESTS_SCALE=20 swift test`; no `LOOM_` prefix, so
/// a runtime reading the environment never takes it for a misspelt setting).
enum TestSize {
    static let factor: Int = {
        guard let text = getenv("LOOMTESTS_SCALE"), let value = Int(String(cString: text)), value > 0 else { return 1 }
        return value
    }()

    static func scaled(_ n: Int) -> Int { n * self.factor }
}

/// `true` when the test binary runs under ThreadSanitizer (`swift test --sanitize=thread`).
let runningUnderThreadSanitizer: Bool = dlsym(nil, "__tsan_init") != nil

/// Runs `body(i)` on `count` new threads at once and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = (0..<count).map { index in
        try! PinnedThread.start(
            LoomThreadInfo(
                pool: .compute,
                index: index,
                name: "test-\(index)",
                kernelName: "test-\(index)",
                cpus: CPUSet()
            )
        ) { body(index) }
    }
    for thread in threads { thread.join() }
}

/// A boolean shared between threads and tasks.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { self.value.store(true, ordering: .releasing) }
    var isSet: Bool { self.value.load(ordering: .acquiring) }
}

/// A simple error for throwing-closure tests.
struct TestError: Error, Equatable {
    let id: Int
}

/// A counter shared between threads.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func increment(by n: Int = 1) { self.value.add(n, ordering: .relaxed) }
    var count: Int { self.value.load(ordering: .relaxed) }
}
