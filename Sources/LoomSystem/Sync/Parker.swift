import CLoomSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-token thread parker on a futex word, like Rust's `thread::park`/`unpark`.
///
/// `unpark()` leaves a token; `park()` consumes one, blocking until one is there. Because the token persists,
/// an `unpark()` that comes before the `park()` is not lost, and a stray token only makes one `park()` return
/// early. Every caller therefore parks in a loop that re-checks its own condition.
///
/// Parker words are never freed: a thread that exits returns its word to a free list, and a late `unpark()`
/// (a latch setter that was preempted after setting the latch) then only leaves a stray token on a recycled
/// word. That makes `unpark()` safe to call on a parker whose thread has already moved on.
///
/// **One word, one thread.** Only the thread that owns a word may `park()` on it: a second thread parked on the
/// same word would take the first one's token, or find the word in the `parked` state and wipe it, and one of
/// them would then sleep forever. The free list therefore tracks which words are handed out and traps on a word
/// handed out twice or recycled twice, a thread that exits clears its thread-local pointer before its word goes
/// back to the list, and `park()` traps if it ever finds another thread's `parked` mark on its word.
///
/// ## Memory ordering
/// `unpark()` swaps in `notified` with release ordering and `park()` consumes it with an acquire compare-exchange,
/// so whatever the unparking thread wrote before `unpark()` is visible after `park()` returns. The futex itself
/// carries no ordering; it only blocks and wakes.
@usableFromInline
package struct Parker: @unchecked Sendable {
    // Sendable: a parker is a pointer to a word that lives forever (see above); all access is atomic.
    private static let empty: UInt32 = 0
    private static let parked: UInt32 = 1
    private static let notified: UInt32 = 2

    @usableFromInline
    package let word: UnsafeMutablePointer<Atomic<UInt32>>

    fileprivate init(word: UnsafeMutablePointer<Atomic<UInt32>>) { self.word = word }

    /// A parker for a thread Loom starts; it lives as long as that thread's owner and is recycled with
    /// ``recycle()``.
    package static func make() -> Parker {
        let recycled = ParkerWords.words.withLock { words in words.handOut() }
        if let recycled {
            recycled.word.pointee.store(Self.empty, ordering: .relaxed)  // Relaxed: not yet shared with any thread.
            return recycled
        }
        let word = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
        word.initialize(to: Atomic(Self.empty))
        let parker = Parker(word: word)
        ParkerWords.words.withLock { words in words.adopt(parker) }
        return parker
    }

    /// Returns the word to the free list. The caller must not park on it afterwards.
    package func recycle() {
        ParkerWords.words.withLock { words in words.takeBack(self) }
    }

    /// The calling thread's parker, made on first use and recycled when the thread exits.
    package static var current: Parker {
        if let raw = cloom_current_parker() {
            return Parker(word: raw.assumingMemoryBound(to: Atomic<UInt32>.self))
        }
        let parker = Parker.make()
        cloom_set_current_parker(UnsafeMutableRawPointer(parker.word))
        ParkerWords.registerThreadExit(parker)
        return parker
    }

    private var futexWord: UnsafeMutablePointer<UInt32> {
        UnsafeMutableRawPointer(self.word).assumingMemoryBound(to: UInt32.self)
    }

    /// Blocks until a token is available, then consumes it.
    ///
    /// Do not rename: profiles filter blocked time on this name.
    @usableFromInline
    package func park() {
        // Acquire: pairs with the releasing exchange in unpark().
        if self.word.pointee.compareExchange(
            expected: Self.notified,
            desired: Self.empty,
            ordering: .acquiring
        ).exchanged {
            return
        }
        Chaos.point()
        let announced = self.word.pointee.compareExchange(
            expected: Self.empty,
            desired: Self.parked,
            ordering: .acquiring
        )
        if !announced.exchanged {
            // A token arrived between the two exchanges. Anything else means a second thread parks on this word.
            precondition(
                announced.original == Self.notified,
                "Loom: two threads are parked on one parker word (state \(announced.original)); this is a bug in Loom."
            )
            Chaos.point()
            self.word.pointee.store(Self.empty, ordering: .relaxed)  // Relaxed: the acquire above already synced.
            return
        }
        while true {
            _ = cloom_futex_wait(self.futexWord, Self.parked, -1)
            if self.word.pointee.compareExchange(
                expected: Self.notified,
                desired: Self.empty,
                ordering: .acquiring
            ).exchanged {
                return
            }
        }
    }

    /// Leaves a token, waking the thread if it is parked.
    @usableFromInline
    package func unpark() {
        Chaos.point()
        // Release: publishes what the caller wrote before unparking; pairs with the acquire in park().
        if self.word.pointee.exchange(Self.notified, ordering: .releasing) == Self.parked {
            _ = cloom_futex_wake(self.futexWord, 1)
        }
    }
}

/// The never-freed pool of parker words.
private enum ParkerWords {
    /// Every word ever allocated is either handed out (owned by one thread or one `Sleeper`) or free.
    struct Words {
        var free: [Parker] = []
        var handedOut: Set<UInt> = []

        mutating func handOut() -> Parker? {
            guard let parker = self.free.popLast() else { return nil }
            let (inserted, _) = self.handedOut.insert(UInt(bitPattern: parker.word))
            precondition(inserted, "Loom: a parker word is on the free list while it is in use; this is a bug in Loom.")
            return parker
        }

        mutating func adopt(_ parker: Parker) {
            self.handedOut.insert(UInt(bitPattern: parker.word))
        }

        mutating func takeBack(_ parker: Parker) {
            precondition(
                self.handedOut.remove(UInt(bitPattern: parker.word)) != nil,
                "Loom: a parker word was recycled twice; this is a bug in Loom."
            )
            self.free.append(parker)
        }
    }

    static let words = LockedValue(Words())

    private static let exitKey: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { raw in
            guard let raw else { return }
            // The thread is exiting: forget the word first, so that code running in a later thread-exit destructor
            // that needs a parker gets a fresh word instead of this one, which another thread may own by then.
            cloom_set_current_parker(nil)
            let parker = Parker(word: raw.assumingMemoryBound(to: Atomic<UInt32>.self))
            ParkerWords.words.withLock { words in words.takeBack(parker) }
        }
        precondition(rc == 0, "pthread_key_create failed with error \(rc)")
        return key
    }()

    /// Recycles `parker` when the calling thread exits.
    static func registerThreadExit(_ parker: Parker) {
        _ = pthread_setspecific(self.exitKey, UnsafeRawPointer(parker.word))
    }
}
