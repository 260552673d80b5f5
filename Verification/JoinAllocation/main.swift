// Why a stealable `join` allocates: the smallest program that shows it (Documentation/Internals/ComputePool.md,
// "Why one allocation per stealable join"). Run by ./check.sh, which counts heap allocations with valgrind.
//
// A job that another thread may run has to hold its closure in memory. `join`'s closures are non-escaping
// parameters, and the one way Swift offers to store a non-escaping closure is `withoutActuallyEscaping`. Each
// variant below runs `iterations` times with a closure literal that captures two locals, as `join`'s do.

/// Where a job's closure waits for a thief (here the same thread calls it: the question is the type, not the thread).
final class Slot: @unchecked Sendable {
    var body: (() -> Void)?
}
let slot = Slot()

/// A: the closure is only called. Nothing to allocate: its context lives on the caller's stack.
@inline(never) func callOnly(_ body: () -> Void) { body() }

/// B: made escapable and stored where another thread could call it — what a stealable job needs.
@inline(never) func publish(_ body: () -> Void) {
    withoutActuallyEscaping(body) { escapable in
        slot.body = escapable
        slot.body!()
        slot.body = nil
    }
}

/// C: made escapable and only called, never stored: the conversion alone allocates.
@inline(never) func convertOnly(_ body: () -> Void) {
    withoutActuallyEscaping(body) { escapable in escapable() }
}

@inline(never) func run(_ variant: String, _ iterations: Int) -> Int {
    var total = 0
    for i in 0..<iterations {
        var result = 0
        switch variant {
        case "A": callOnly { result = i &* 2 }
        case "B": publish { result = i &* 2 }
        default: convertOnly { result = i &* 2 }
        }
        total &+= result
    }
    return total
}

let arguments = CommandLine.arguments.dropFirst()
let variant = arguments.first ?? "B"
let iterations = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
print(variant, iterations, run(variant, iterations))
