extension CPUSet {
    /// Parses the Linux CPU list format.
    ///
    /// Accepted: single CPUs (`"3"`), inclusive ranges (`"0-7"`), `taskset`'s strided ranges (`"0-15:2"` is every
    /// second CPU from 0 to 14), and any mix of them separated by commas (`"0-3,8-11"`). Whitespace around items,
    /// dashes and colons is ignored, duplicates are merged and the order does not matter.
    ///
    /// Rejected, with a ``LoomError`` of code ``LoomError/Code/invalidCPUSet`` that names the bad part: an empty
    /// string, an empty item (`"1,,2"`), anything that is not a decimal number (`"abc"`, `"0x1"`, `"1.5"`, `"-1"`),
    /// a range that runs backwards (`"5-3"`), a range with two dashes (`"1-2-3"`), a stride of 0, and CPU numbers
    /// above ``maximumCPU``.
    ///
    /// - Parameter text: the list, for example the content of `/sys/devices/system/cpu/online`.
    /// - Throws: ``LoomError`` with code ``LoomError/Code/invalidCPUSet``.
    public init(parsing text: String) throws(LoomError) {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else {
            throw Self.parseError(text, "the cpuset is empty; expected CPU numbers such as 0-3,8-11")
        }
        var set = CPUSet()
        for (offset, rawItem) in trimmed.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let item = rawItem.trimmingWhitespace
            guard !item.isEmpty else {
                throw Self.parseError(text, "item \(offset + 1) is empty (a stray comma)")
            }
            try Self.parseItem(item, of: text, into: &set)
        }
        self = set
    }

    private static func parseItem(_ item: String, of text: String, into set: inout CPUSet) throws(LoomError) {
        let stridePieces = item.split(separator: ":", omittingEmptySubsequences: false)
        guard stridePieces.count <= 2 else { throw Self.malformed(item, of: text) }
        let rangePieces = stridePieces[0].split(separator: "-", omittingEmptySubsequences: false)
        guard rangePieces.count <= 2 else { throw Self.malformed(item, of: text) }

        let start = try Self.number(rangePieces[0], in: item, of: text)
        let end = rangePieces.count == 2 ? try Self.number(rangePieces[1], in: item, of: text) : start
        guard start <= end else {
            throw Self.parseError(text, "the range \"\(item)\" ends before it starts")
        }
        var stride = 1
        if stridePieces.count == 2 {
            guard rangePieces.count == 2 else {
                throw Self.parseError(text, "a stride needs a range: \"\(item)\" should look like 0-15:2")
            }
            stride = try Self.number(stridePieces[1], in: item, of: text)
            guard stride >= 1 else {
                throw Self.parseError(text, "the stride in \"\(item)\" must be at least 1")
            }
        }
        for cpu in Swift.stride(from: start, through: end, by: stride) { set.insert(cpu) }
    }

    /// A decimal CPU number: ASCII digits only, at most ``maximumCPU``.
    private static func number(_ piece: Substring, in item: String, of text: String) throws(LoomError) -> Int {
        let digits = piece.trimmingWhitespace
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { throw Self.malformed(item, of: text) }
        // Anything longer than six significant digits is out of range; checking the length first avoids overflow.
        let significant = digits.drop(while: { $0 == "0" })
        guard significant.utf8.count <= 6, let value = significant.isEmpty ? 0 : Int(significant),
            value <= Self.maximumCPU
        else {
            throw Self.parseError(
                text,
                "CPU \(digits) in \"\(item)\" is above the largest supported CPU number \(Self.maximumCPU)"
            )
        }
        return value
    }

    private static func malformed(_ item: String, of text: String) -> LoomError {
        parseError(text, "\"\(item)\" is not a CPU number, a range such as 0-7, or a strided range such as 0-15:2")
    }

    private static func parseError(_ text: String, _ reason: String) -> LoomError {
        LoomError(
            .invalidCPUSet,
            description: "Invalid cpuset \"\(text)\": \(reason.endingWithPeriod)",
            reason: reason,
            value: text
        )
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces, tabs and newlines.
    package var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = self.firstIndex(where: { !isSpace($0) }),
            let end = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
