import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// The storage behind `computeMap(maxConcurrency: n)` for n > 1: a ring of `n` slots, allocated once per iteration.
/// Each slot is a compute job (its ``JobHeader`` comes first), so dispatching an element allocates nothing.
///
/// The consumer owns `head`/`count` and fills slots in input order; a compute worker runs a slot's transform and
/// publishes its result. Results are taken from the head, so they come out in input order.
///
/// ## Memory ordering
/// A slot's `state` goes `running` → `done`, or `running` → `waiting` (the consumer parked its continuation in the
/// slot) → `done`. The worker writes the result, then exchanges in `done` with acquire-release: the release
/// publishes the result to the consumer (which loads `state` with acquire, or is resumed after the exchange); the
/// acquire makes the consumer's continuation, stored before its `running` → `waiting` compare-exchange (release),
/// visible to the worker that saw `waiting`. A slot is reused only after the consumer took its result.
///
/// Each dispatched job holds a strong reference to the window, so the window (and its slots) outlive every job,
/// even when the iterator is dropped while jobs run.
@usableFromInline
final class ComputeMapWindow<Element: Sendable, Output: Sendable>: @unchecked Sendable {
    // Sendable: `head` and `count` are touched by the consuming task only; slots are handed over through `state`.

    fileprivate static var running: UInt8 { 0 }
    fileprivate static var waiting: UInt8 { 1 }
    fileprivate static var done: UInt8 { 2 }

    fileprivate struct Slot: ~Copyable {
        /// Must stay first: the job ref points at the slot.
        let header = JobHeader(kind: ComputeMapJobKind<Element, Output>.self)
        let state = Atomic<UInt8>(0)
        var element: Element?
        var result: Result<Output, any Error>?
        var continuation: UnsafeContinuation<Void, Never>?
        var window: Unmanaged<ComputeMapWindow>?
        /// When the element was handed to the pool (``cloom_monotonic_ns()``), or 0 when this item is not timed.
        var dispatchedAt: UInt64 = 0
    }

    private let slots: UnsafeMutablePointer<Slot>
    let capacity: Int
    let transform: @Sendable (Element) throws -> Output
    let runtime: LoomRuntime
    private var head = 0
    private var count = 0

    init(capacity: Int, runtime: LoomRuntime, transform: @escaping @Sendable (Element) throws -> Output) {
        self.capacity = capacity
        self.runtime = runtime
        self.transform = transform
        self.slots = UnsafeMutablePointer<Slot>.allocate(capacity: capacity)
        for index in 0..<capacity { (self.slots + index).initialize(to: Slot()) }
    }

    deinit {
        self.slots.deinitialize(count: self.capacity)
        self.slots.deallocate()
    }

    var isFull: Bool { self.count == self.capacity }
    var isEmpty: Bool { self.count == 0 }

    /// Puts `element` in the next slot and queues its transform on the compute pool. Consumer only.
    func dispatch(_ element: Element) {
        precondition(!self.isFull, "Loom internal error: computeMap dispatched into a full window")
        let slot = self.slots + (self.head + self.count) % self.capacity
        self.count += 1
        slot.pointee.element = element
        slot.pointee.result = nil
        slot.pointee.continuation = nil
        slot.pointee.window = Unmanaged.passRetained(self)
        slot.pointee.dispatchedAt =
            self.runtime.asyncPool.measuresTime && cloom_sample_tick() != 0 ? cloom_monotonic_ns() : 0
        slot.pointee.state.store(Self.running, ordering: .relaxed)  // Relaxed: published by the queue hand-off.
        self.runtime.tracker.computeStarted()
        let header = UnsafeMutableRawPointer(slot).assumingMemoryBound(to: JobHeader.self)
        self.runtime.computePool.registry.spawn(JobRef(header))
    }

    /// Waits for the oldest slot's result and frees the slot. Consumer only.
    func takeHead() async throws -> Output {
        let slot = self.slots + self.head
        // Acquire: pairs with the worker's exchange; the result is visible once `done` is seen.
        if slot.pointee.state.load(ordering: .acquiring) != Self.done {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
                slot.pointee.continuation = continuation
                // Release: publishes the continuation to the worker that will see `waiting`.
                let parked = slot.pointee.state.compareExchange(
                    expected: Self.running,
                    desired: Self.waiting,
                    successOrdering: .releasing,
                    failureOrdering: .acquiring
                ).exchanged
                if !parked { continuation.resume() }  // Already done.
            }
            // Acquire: the worker's exchange to `done` happened before it resumed us.
            _ = slot.pointee.state.load(ordering: .acquiring)
        }
        let result = slot.pointee.result.take()!
        self.runtime.asyncPool.recordBridgeCall(.computeMapItem, since: slot.pointee.dispatchedAt)
        self.head = (self.head + 1) % self.capacity
        self.count -= 1
        return try result.get()
    }

    /// Runs one slot's transform on a compute worker and publishes the result.
    fileprivate static func run(_ slot: UnsafeMutablePointer<Slot>) {
        let owner = slot.pointee.window!
        let window = owner.takeUnretainedValue()
        let element = slot.pointee.element.take()!
        slot.pointee.result = Result { try window.transform(element) }
        window.runtime.tracker.computeFinished()
        // Once `done` is visible the consumer may reuse the slot: after the exchange, touch it only if the consumer
        // is parked in it (`waiting`), which it cannot leave before we resume it.
        let previous = slot.pointee.state.exchange(Self.done, ordering: .acquiringAndReleasing)
        if previous == Self.waiting {
            // Acquire above made the continuation (stored before `waiting`) visible.
            slot.pointee.continuation.take()!.resume()
        }
        owner.release()
    }
}

/// The ``JobExecutable`` of a computeMap slot.
enum ComputeMapJobKind<Element: Sendable, Output: Sendable>: JobExecutable {
    static func execute(_ header: UnsafeMutablePointer<JobHeader>) {
        let slot = UnsafeMutableRawPointer(header).assumingMemoryBound(to: ComputeMapWindow<Element, Output>.Slot.self)
        ComputeMapWindow<Element, Output>.run(slot)
    }
}
