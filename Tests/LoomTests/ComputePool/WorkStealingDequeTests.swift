import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// A fake job ref: the deque never dereferences what it stores.
private func ref(_ n: Int) -> JobRef { JobRef(bits: UInt(n) << 4) }
private func number(_ job: JobRef) -> Int { Int(job.bits >> 4) }

@Suite("WorkStealingDeque", .timeLimit(.minutes(10)))
struct WorkStealingDequeTests {
    @Test("smoke: pop takes the newest job, steal the oldest")
    func smoke() {
        let deque = WorkStealingDeque()
        deque.push(ref(1))
        deque.push(ref(2))
        deque.push(ref(3))
        #expect(deque.pop().map(number) == 3)
        #expect(deque.steal() == .success(ref(1)))
        #expect(deque.pop().map(number) == 2)
        #expect(deque.pop() == nil)
    }

    @Test("an empty deque pops nil and steals .empty")
    func empty() {
        let deque = WorkStealingDeque()
        #expect(deque.isEmpty)
        #expect(deque.pop() == nil)
        #expect(deque.steal() == .empty)
        deque.push(ref(7))
        #expect(!deque.isEmpty)
        #expect(deque.pop().map(number) == 7)
        #expect(deque.isEmpty)
        #expect(deque.steal() == .empty)
    }

    @Test("the buffer grows past its initial capacity and keeps FIFO order for thieves")
    func growth() {
        let deque = WorkStealingDeque(capacity: 4)
        for n in 1...1000 { deque.push(ref(n)) }
        #expect(deque.count == 1000)
        for n in 1...500 { #expect(deque.steal() == .success(ref(n))) }
        for n in stride(from: 1000, to: 500, by: -1) { #expect(deque.pop().map(number) == n) }
        #expect(deque.pop() == nil)
    }

    @Test("spsc: one thief steals what the owner pushes, nothing lost or duplicated")
    func spsc() {
        let total = TestSize.scaled(100_000)
        let deque = WorkStealingDeque(capacity: 16)
        let stolen = Counter()
        let stolenSum = Counter()
        let done = Atomic<Bool>(false)
        let shared = deque
        onThreads(2) { thread in
            if thread == 0 {
                for n in 1...total { shared.push(ref(n)) }
                done.store(true, ordering: .releasing)
            } else {
                while true {
                    // Read `done` before stealing: if every push had happened and the deque is then empty, stop.
                    let ownerFinished = done.load(ordering: .acquiring)
                    switch shared.steal() {
                    case .success(let job):
                        stolen.increment()
                        stolenSum.increment(by: number(job))
                    case .retry: continue
                    case .empty: if ownerFinished { return }
                    }
                }
            }
        }
        #expect(stolen.count == total)
        #expect(stolenSum.count == total * (total + 1) / 2)
    }

    @Test("stampede: many thieves and a popping owner take every job exactly once")
    func stampede() {
        let total = TestSize.scaled(50_000)
        let thieves = 6
        let deque = WorkStealingDeque(capacity: 8)
        for n in 1...total { deque.push(ref(n)) }
        let seen = (0...total).map { _ in Counter() }
        let taken = Counter()
        onThreads(thieves + 1) { thread in
            while taken.count < total {
                let job: JobRef?
                if thread == 0 {
                    job = deque.pop()
                } else if case .success(let stolen) = deque.steal() {
                    job = stolen
                } else {
                    job = nil
                }
                if let job {
                    seen[number(job)].increment()
                    taken.increment()
                }
            }
        }
        #expect(taken.count == total)
        #expect(seen.dropFirst().allSatisfy { $0.count == 1 })
    }

    @Test("stress: owner pushes and pops while thieves steal; the sums add up")
    func stress() {
        let rounds = TestSize.scaled(200_000)
        let deque = WorkStealingDeque(capacity: 4)
        let consumedSum = Counter()
        let consumed = Counter()
        let ownerDone = Atomic<Bool>(false)
        onThreads(4) { thread in
            if thread == 0 {
                for n in 1...rounds {
                    deque.push(ref(n))
                    if n % 3 == 0, let job = deque.pop() {
                        consumed.increment()
                        consumedSum.increment(by: number(job))
                    }
                }
                while let job = deque.pop() {
                    consumed.increment()
                    consumedSum.increment(by: number(job))
                }
                ownerDone.store(true, ordering: .releasing)
            } else {
                while true {
                    switch deque.steal() {
                    case .success(let job):
                        consumed.increment()
                        consumedSum.increment(by: number(job))
                    case .retry: continue
                    case .empty: if ownerDone.load(ordering: .acquiring) { return }
                    }
                }
            }
        }
        #expect(consumed.count == rounds)
        #expect(consumedSum.count == rounds * (rounds + 1) / 2)
    }
}
