/// Thread names: `{prefix}-{pool}-NNNN` in full, and the 15-byte form Linux keeps.
package enum ThreadNames {
    /// The longest thread name Linux keeps: 16 bytes with the terminating NUL.
    package static let kernelNameLimit = 15

    /// `{prefix}-async-0003`: the pool's name and the index padded to four digits.
    package static func fullName(prefix: String, pool: LoomThreadInfo.Pool, index: Int) -> String {
        let digits = String(index)
        let padded = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return "\(prefix)-\(pool.rawValue)-\(padded)"
    }

    /// The kernel-visible names of a pool's `count` threads.
    ///
    /// If every full name of the pool fits in 15 UTF-8 bytes, each kernel name is the full name. Otherwise the
    /// whole pool uses `{p}-{letter}{index}`: letter `a`, `c` or `n` for async, compute or I/O, the index
    /// unpadded, and `p` the prefix cut to `15 - 2 - digits(count - 1)` bytes at a Unicode scalar boundary with
    /// trailing `-`, `_` and `.` removed. The names are unique, start with the (possibly shortened) prefix and
    /// show the pool and the index.
    package static func kernelNames(prefix: String, pool: LoomThreadInfo.Pool, count: Int) -> [String] {
        guard count > 0 else { return [] }
        let fullNames = (0..<count).map { Self.fullName(prefix: prefix, pool: pool, index: $0) }
        if fullNames.allSatisfy({ $0.utf8.count <= Self.kernelNameLimit }) { return fullNames }

        let letter: Character =
            switch pool {
            case .async: "a"
            case .compute: "c"
            case .io: "n"
            case .blocking: "b"
            }
        let budget = max(0, Self.kernelNameLimit - 2 - String(count - 1).count)
        let short = Self.shortenedPrefix(prefix, toBytes: budget)
        return (0..<count).map { "\(short)-\(letter)\($0)" }
    }

    /// `prefix` cut to at most `limit` UTF-8 bytes without splitting a Unicode scalar, then without trailing
    /// `-`, `_` and `.` (unless that would leave nothing).
    package static func shortenedPrefix(_ prefix: String, toBytes limit: Int) -> String {
        var result = String.UnicodeScalarView()
        var bytes = 0
        for scalar in prefix.unicodeScalars {
            let size = String(scalar).utf8.count
            guard bytes + size <= limit else { break }
            result.append(scalar)
            bytes += size
        }
        let cut = String(result)
        var stripped = Substring(cut)
        while let last = stripped.last, "-_.".contains(last) { stripped.removeLast() }
        return stripped.isEmpty ? cut : String(stripped)
    }

    /// The infos of `cpus.count` threads of `pool`: index `i` named `{prefix}-{pool}-000i` (with the kernel name
    /// from ``kernelNames(prefix:pool:count:)``) and placed on `cpus[i]` (empty: unpinned).
    package static func threads(prefix: String, pool: LoomThreadInfo.Pool, cpus: [CPUSet]) -> [LoomThreadInfo] {
        let kernelNames = Self.kernelNames(prefix: prefix, pool: pool, count: cpus.count)
        return cpus.enumerated().map { index, cpus in
            LoomThreadInfo(
                pool: pool,
                index: index,
                name: Self.fullName(prefix: prefix, pool: pool, index: index),
                kernelName: kernelNames[index],
                cpus: cpus
            )
        }
    }

    /// A runtime's helper thread (not one of its pools): unpinned, named `{prefix}-{name}`, its kernel name the
    /// prefix cut so that `-{shortName}` fits in 15 bytes.
    package static func helper(
        prefix: String,
        pool: LoomThreadInfo.Pool,
        name: String,
        shortName: String
    ) -> LoomThreadInfo {
        LoomThreadInfo(
            pool: pool,
            index: 0,
            name: "\(prefix)-\(name)",
            kernelName: Self.shortenedPrefix(prefix, toBytes: Self.kernelNameLimit - 1 - shortName.utf8.count)
                + "-\(shortName)",
            cpus: CPUSet()
        )
    }
}
