import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

extension LoomRuntime {
    /// A small runtime for tests: unpinned unless asked, so tests do not depend on this machine's CPUs.
    static func forTests(
        _ prefix: String,
        asyncThreads: Int = 1,
        computeThreads: Int = 2,
        pin: Bool = false
    ) throws -> LoomRuntime {
        try LoomBuilder().prefix(prefix).asyncThreads(asyncThreads).computeThreads(computeThreads).pinThreads(pin)
            .build()
    }

    /// The calling thread's kernel name.
    static var threadName: String { currentThreadName() }
}

/// A gate an async test can wait on, opened from any thread (no sleeps).
final class AsyncGate: Sendable {
    private let state = LockedValue<(open: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = self.state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let isOpen = self.state.withLock { state -> Bool in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if isOpen { continuation.resume() }
        }
    }
}
