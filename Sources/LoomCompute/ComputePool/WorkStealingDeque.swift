import LoomSystem
import Synchronization

/// The outcome of one ``WorkStealingDeque/steal()`` attempt.
@usableFromInline
package enum Steal: Equatable {
    /// The deque was empty.
    case empty
    /// A job was taken.
    case success(JobRef)
    /// Another thread won a race for the same job; the deque may still hold work.
    case retry
}

/// A Chase-Lev work-stealing deque of job refs: one owner pushes and pops at the bottom (newest first),
/// any number of thieves steal from the top (oldest first).
///
/// The algorithm is Chase and Lev, "Dynamic Circular Work-Stealing Deque" (SPAA 2005), with the memory orderings
/// of Lê, Pop, Cohen and Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak Memory Models" (PPoPP 2013).
/// Two indices delimit the live jobs: `top` (next to steal, only ever incremented, by compare-exchange) and
/// `bottom` (next free slot, written only by the owner). Slots live in a circular buffer whose size is a power of
/// two; the owner doubles it when full. Old buffers are kept until the deque is freed, because a thief may still
/// be reading a slot of one (a stale read is harmless: its compare-exchange on `top` then fails).
///
/// Each slot is an atomic word holding the address of a job's header.
///
/// ## Memory ordering
/// - `push` writes the slot (relaxed) and then stores `bottom` with **release**; `steal` loads `bottom` with
///   acquire (it is sequentially consistent), so a thief that sees the new `bottom` also sees the slot and
///   everything the owner wrote into the job before pushing it.
/// - `pop` stores the decremented `bottom` and then loads `top`; `steal` loads `top` and then `bottom`. All four are
///   **sequentially consistent** (Lê et al. use relaxed accesses around a seq-cst fence; ThreadSanitizer does not
///   model fences, and on x86 the costs are equal). In the single total order, either the owner sees the thief's
///   `top` or the thief sees the owner's `bottom`, so two threads never both take the last job without the
///   compare-exchange on `top` deciding between them.
/// - The compare-exchange on `top` is sequentially consistent on success: it orders a thief's read of the slot
///   before the owner's reuse of that slot (the owner loads `top` with acquire in `push`).
/// - The owner restores `bottom` with **release** stores (instead of relaxed), so that a thief reading a restored
///   value still synchronizes with the owner's earlier pushes.
/// - A new buffer is published with release and loaded with acquire by thieves.
@usableFromInline
package final class WorkStealingDeque: @unchecked Sendable {
    // Sendable: `top`, `bottom` and `buffer` are atomics; `retired` is touched by the owner thread only.

    private let top = Atomic<Int>(0)
    private let padding0 = CachePadding()
    private let bottom = Atomic<Int>(0)
    private let padding1 = CachePadding()
    /// Points at `capacity + 1` words: word 0 holds the capacity, words 1... the slots.
    private let buffer: Atomic<UnsafeMutablePointer<Atomic<UInt>>>
    /// Buffers replaced by a larger one; freed in `deinit`. Owner only.
    private var retired: [UnsafeMutablePointer<Atomic<UInt>>] = []

    /// - Parameter capacity: the initial number of slots, rounded up to a power of two.
    package init(capacity: Int = 256) {
        var size = 1
        while size < capacity { size <<= 1 }
        self.buffer = Atomic(Self.allocateBuffer(capacity: size))
    }

    deinit {
        let current = self.buffer.load(ordering: .relaxed)  // Relaxed: no other thread can use the deque now.
        for old in self.retired + [current] { Self.freeBuffer(old) }
    }

    /// `true` when no job is visible. Exact only for the owner; a hint for everyone else.
    @usableFromInline
    package var isEmpty: Bool {
        // Relaxed: a hint; callers that need certainty re-check after a sequentially consistent fence.
        self.bottom.load(ordering: .relaxed) <= self.top.load(ordering: .relaxed)
    }

    /// The number of jobs visible now (a hint, like `isEmpty`).
    package var count: Int {
        Swift.max(0, self.bottom.load(ordering: .relaxed) - self.top.load(ordering: .relaxed))
    }

    // MARK: Owner

    /// Pushes a job at the bottom. Owner thread only.
    @usableFromInline
    package func push(_ job: JobRef) {
        let b = self.bottom.load(ordering: .relaxed)  // Relaxed: only the owner writes bottom.
        // Acquire: pairs with a thief's compare-exchange on top, so its read of a slot happens before we reuse it.
        let t = self.top.load(ordering: .acquiring)
        var buffer = self.buffer.load(ordering: .relaxed)  // Relaxed: only the owner replaces the buffer.
        var capacity = Self.capacity(of: buffer)
        // Is the buffer full? Then double it.
        if b &- t >= capacity {
            buffer = self.grow(buffer, bottom: b, top: t)
            capacity <<= 1
        }
        Self.slot(buffer, b & (capacity - 1)).pointee.store(job.bits, ordering: .relaxed)  // Published below.
        // Release: publishes the slot and the job's memory; pairs with the acquiring load of bottom in steal().
        self.bottom.store(b &+ 1, ordering: .releasing)
    }

    /// Pops the newest job, or `nil` if the deque is empty (or a thief took the last one). Owner thread only.
    @usableFromInline
    package func pop() -> JobRef? {
        let b = self.bottom.load(ordering: .relaxed) &- 1  // Relaxed: only the owner writes bottom.
        let buffer = self.buffer.load(ordering: .relaxed)  // Relaxed: only the owner replaces the buffer.
        // Sequentially consistent: this store must precede the load of top in the total order (see type docs).
        self.bottom.store(b, ordering: .sequentiallyConsistent)
        let t = self.top.load(ordering: .sequentiallyConsistent)
        // Was the deque empty? Restore bottom.
        if t > b {
            self.bottom.store(b &+ 1, ordering: .releasing)  // Release: see the type docs.
            return nil
        }
        let capacity = Self.capacity(of: buffer)
        let bits = Self.slot(buffer, b & (capacity - 1)).pointee.load(ordering: .relaxed)  // Owner's own write.
        guard t == b else { return JobRef(bits: bits) }
        // This was the last job: race the thieves for it through top.
        let won = self.top.compareExchange(
            expected: t,
            desired: t &+ 1,
            successOrdering: .sequentiallyConsistent,
            failureOrdering: .relaxed
        ).exchanged
        self.bottom.store(b &+ 1, ordering: .releasing)  // Release: see the type docs.
        return won ? JobRef(bits: bits) : nil
    }

    // MARK: Thieves

    /// Tries to take the oldest job. Any thread.
    @usableFromInline
    package func steal() -> Steal {
        let t = self.top.load(ordering: .sequentiallyConsistent)
        // Sequentially consistent (so also acquire): pairs with the releasing store of bottom in push().
        let b = self.bottom.load(ordering: .sequentiallyConsistent)
        guard t < b else { return .empty }
        // Acquire: pairs with the releasing store of a new buffer in grow().
        let buffer = self.buffer.load(ordering: .acquiring)
        let capacity = Self.capacity(of: buffer)
        // Relaxed: the value is only trusted if the compare-exchange below succeeds. (It may be stale, even zero,
        // when other thieves moved top past t and the owner regrew the buffer meanwhile.)
        let bits = Self.slot(buffer, t & (capacity - 1)).pointee.load(ordering: .relaxed)
        let won = self.top.compareExchange(
            expected: t,
            desired: t &+ 1,
            successOrdering: .sequentiallyConsistent,
            failureOrdering: .relaxed
        ).exchanged
        return won ? .success(JobRef(bits: bits)) : .retry
    }

    // MARK: Buffer

    private func grow(
        _ old: UnsafeMutablePointer<Atomic<UInt>>,
        bottom: Int,
        top: Int
    ) -> UnsafeMutablePointer<Atomic<UInt>> {
        let oldCapacity = Self.capacity(of: old)
        let new = Self.allocateBuffer(capacity: oldCapacity << 1)
        let newMask = (oldCapacity << 1) - 1
        var index = top
        while index != bottom {
            let bits = Self.slot(old, index & (oldCapacity - 1)).pointee.load(ordering: .relaxed)
            Self.slot(new, index & newMask).pointee.store(bits, ordering: .relaxed)  // Published below.
            index &+= 1
        }
        // Release: publishes the copied slots; pairs with the acquiring load of buffer in steal().
        self.buffer.store(new, ordering: .releasing)
        self.retired.append(old)
        return new
    }

    private static func allocateBuffer(capacity: Int) -> UnsafeMutablePointer<Atomic<UInt>> {
        let words = UnsafeMutablePointer<Atomic<UInt>>.allocate(capacity: capacity + 1)
        words.initialize(to: Atomic(UInt(capacity)))
        for index in 1...capacity { (words + index).initialize(to: Atomic(0)) }
        return words
    }

    private static func freeBuffer(_ words: UnsafeMutablePointer<Atomic<UInt>>) {
        let capacity = Self.capacity(of: words)
        words.deinitialize(count: capacity + 1)
        words.deallocate()
    }

    @inline(__always)
    private static func capacity(of words: UnsafeMutablePointer<Atomic<UInt>>) -> Int {
        Int(words.pointee.load(ordering: .relaxed))  // Relaxed: written once before the buffer is published.
    }

    @inline(__always)
    private static func slot(_ words: UnsafeMutablePointer<Atomic<UInt>>, _ index: Int) -> UnsafeMutablePointer<
        Atomic<UInt>
    > {
        words + 1 + index
    }
}
