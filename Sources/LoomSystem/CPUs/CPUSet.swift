/// A set of CPU numbers, as Linux writes them: `"0-3,8-11"`.
///
/// `CPUSet` is a small value type (a bit set) with the usual set operations. Parse the Linux list format with
/// ``init(parsing:)``, print the canonical form with ``description``, and read the CPUs this process may run on
/// with ``allowed()``.
///
/// ```swift
/// let set = try CPUSet(parsing: "8-11, 0-3")
/// print(set)            // 0-3,8-11
/// print(set.count)      // 8
/// ```
///
/// CPU numbers run from 0 to ``maximumCPU``.
public struct CPUSet: Sendable, Hashable {
    /// The largest CPU number a `CPUSet` holds. Larger numbers are rejected when parsing, so that a typo such as
    /// `0-4000000000` is an error rather than a four-billion-element allocation.
    public static let maximumCPU = 65_535

    /// One bit per CPU, 64 per word, without trailing zero words (so equal sets have equal storage).
    private var words: [UInt64]

    /// The empty set.
    public init() { self.words = [] }

    /// A set of the given CPU numbers.
    ///
    /// - Precondition: every number is in `0...CPUSet.maximumCPU`.
    public init<S: Sequence>(_ cpus: S) where S.Element == Int {
        self.words = []
        for cpu in cpus { self.insert(cpu) }
    }

    /// A set of the CPUs in `range`.
    public init(_ range: ClosedRange<Int>) {
        self.init(range.lazy.map { $0 })
    }

    package init(words: [UInt64]) {
        self.words = words
        self.trim()
    }

    /// The raw mask, 64 CPUs per word, CPU 0 in the lowest bit of the first word.
    package var bitWords: [UInt64] { self.words }

    // MARK: Queries

    /// `true` when the set holds no CPU.
    public var isEmpty: Bool { self.words.isEmpty }

    /// The number of CPUs in the set.
    public var count: Int { self.words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// `true` when `cpu` is in the set.
    public func contains(_ cpu: Int) -> Bool {
        guard cpu >= 0 else { return false }
        let (word, bit) = cpu.quotientAndRemainder(dividingBy: 64)
        return word < self.words.count && self.words[word] & (1 << UInt64(bit)) != 0
    }

    /// The lowest CPU in the set.
    public var first: Int? {
        for (index, word) in self.words.enumerated() where word != 0 {
            return index * 64 + word.trailingZeroBitCount
        }
        return nil
    }

    /// The highest CPU in the set.
    public var last: Int? {
        guard let word = self.words.last else { return nil }
        return (self.words.count - 1) * 64 + 63 - word.leadingZeroBitCount
    }

    /// The CPUs in ascending order.
    public var sorted: [Int] { Array(self) }

    /// The first `n` CPUs in ascending order, as a set.
    public func prefix(_ n: Int) -> CPUSet { CPUSet(Array(self).prefix(Swift.max(0, n))) }

    // MARK: Mutation

    /// Adds `cpu` to the set.
    ///
    /// - Precondition: `cpu` is in `0...CPUSet.maximumCPU`.
    public mutating func insert(_ cpu: Int) {
        precondition(
            (0...Self.maximumCPU).contains(cpu),
            "CPU number \(cpu) is outside 0...\(Self.maximumCPU)"
        )
        let (word, bit) = cpu.quotientAndRemainder(dividingBy: 64)
        if word >= self.words.count {
            self.words.append(contentsOf: repeatElement(0, count: word - self.words.count + 1))
        }
        self.words[word] |= 1 << UInt64(bit)
    }

    /// Removes `cpu` from the set, if present.
    public mutating func remove(_ cpu: Int) {
        guard self.contains(cpu) else { return }
        let (word, bit) = cpu.quotientAndRemainder(dividingBy: 64)
        self.words[word] &= ~(1 << UInt64(bit))
        self.trim()
    }

    // MARK: Set algebra

    /// The CPUs in either set.
    public func union(_ other: CPUSet) -> CPUSet {
        var result = self.words.count >= other.words.count ? self.words : other.words
        let shorter = self.words.count >= other.words.count ? other.words : self.words
        for index in shorter.indices { result[index] |= shorter[index] }
        return CPUSet(words: result)
    }

    /// The CPUs in both sets.
    public func intersection(_ other: CPUSet) -> CPUSet {
        let count = Swift.min(self.words.count, other.words.count)
        return CPUSet(words: (0..<count).map { self.words[$0] & other.words[$0] })
    }

    /// The CPUs in this set but not in `other`.
    public func subtracting(_ other: CPUSet) -> CPUSet {
        var result = self.words
        for index in 0..<Swift.min(result.count, other.words.count) { result[index] &= ~other.words[index] }
        return CPUSet(words: result)
    }

    /// `true` when every CPU of this set is also in `other`.
    public func isSubset(of other: CPUSet) -> Bool { self.subtracting(other).isEmpty }

    /// `true` when the sets share no CPU.
    public func isDisjoint(with other: CPUSet) -> Bool { self.intersection(other).isEmpty }

    private mutating func trim() {
        while let last = self.words.last, last == 0 { self.words.removeLast() }
    }
}

extension CPUSet: Sequence {
    public struct Iterator: IteratorProtocol {
        private let words: [UInt64]
        private var wordIndex = 0
        private var current: UInt64

        fileprivate init(words: [UInt64]) {
            self.words = words
            self.current = words.first ?? 0
        }

        public mutating func next() -> Int? {
            while self.current == 0 {
                self.wordIndex += 1
                guard self.wordIndex < self.words.count else { return nil }
                self.current = self.words[self.wordIndex]
            }
            let bit = self.current.trailingZeroBitCount
            self.current &= self.current - 1
            return self.wordIndex * 64 + bit
        }
    }

    public func makeIterator() -> Iterator { Iterator(words: self.words) }

    public var underestimatedCount: Int { self.count }
}

extension CPUSet: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Int...) { self.init(elements) }
}

extension CPUSet: CustomStringConvertible {
    /// The canonical Linux list form: ascending, runs of consecutive CPUs as `a-b`, no spaces (`"0-3,8-11"`).
    /// The empty set prints as the empty string.
    public var description: String {
        var parts: [String] = []
        var runStart: Int?
        var previous = -2
        for cpu in self {
            if cpu != previous + 1 {
                if let start = runStart { parts.append(Self.run(start, previous)) }
                runStart = cpu
            }
            previous = cpu
        }
        if let start = runStart { parts.append(Self.run(start, previous)) }
        return parts.joined(separator: ",")
    }

    private static func run(_ start: Int, _ end: Int) -> String { start == end ? "\(start)" : "\(start)-\(end)" }
}
