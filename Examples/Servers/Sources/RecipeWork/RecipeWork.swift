// The CPU-bound work the recipes hand to Loom's compute pool: small, deterministic, and easy to check.
import Foundation

/// The number of primes `p` with `2 <= p <= limit` (a sieve; about `limit` bytes of memory).
public func countPrimes(upTo limit: Int) -> Int {
    guard limit >= 2 else { return 0 }
    var composite = [Bool](repeating: false, count: limit + 1)
    var count = 0
    for n in 2...limit where !composite[n] {
        count += 1
        var multiple = n * n
        while multiple <= limit {
            composite[multiple] = true
            multiple += n
        }
    }
    return count
}

/// Keeps a CPU busy for about `milliseconds` (wall clock) and returns a checksum of the work, which only depends
/// on how many rounds ran; the caller checks it is non-zero. Stands in for a request's real CPU work.
public func burn(milliseconds: Int) -> UInt64 {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(milliseconds))
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    repeat {
        for _ in 0..<10_000 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
        }
    } while clock.now < deadline
    return state | 1
}

/// How many times each word occurs in `text` (words are runs of letters and digits, compared in lower case).
public func wordCounts(in text: String) -> [String: Int] {
    var counts: [String: Int] = [:]
    var word = ""
    for character in text.lowercased() {
        if character.isLetter || character.isNumber {
            word.append(character)
        } else if !word.isEmpty {
            counts[word, default: 0] += 1
            word = ""
        }
    }
    if !word.isEmpty { counts[word, default: 0] += 1 }
    return counts
}

/// The calling thread's kernel name (Linux keeps 15 bytes), so a route can say where its work ran:
/// `loom-compute-0000`, or the shortened form the runtime's `threads` lists.
public func currentThreadName() -> String {
    let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? "?"
    return name.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The number of lines of `text` (a last line without a newline counts).
public func lineCount(of text: String) -> Int {
    var lines = 0
    var pending = false
    for byte in text.utf8 {
        if byte == UInt8(ascii: "\n") {
            lines += 1
            pending = false
        } else {
            pending = true
        }
    }
    return lines + (pending ? 1 : 0)
}
