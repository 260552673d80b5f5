import PropertyBased
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("CPUSet")
struct CPUSetTests {
    // MARK: Grammar: accepted

    @Test(
        "the parser accepts the Linux list format and taskset's stride",
        arguments: [
            ("0", [0]),
            ("5", [5]),
            ("65535", [65_535]),
            ("0-3", [0, 1, 2, 3]),
            ("3-3", [3]),
            ("0-3,8-11", [0, 1, 2, 3, 8, 9, 10, 11]),
            ("0,2,4,6-8", [0, 2, 4, 6, 7, 8]),
            (" 0-3 ", [0, 1, 2, 3]),
            ("0 - 3", [0, 1, 2, 3]),
            ("0, 2,\t4\n", [0, 2, 4]),
            ("0,0,1,1,2", [0, 1, 2]),
            ("0-2,1-3", [0, 1, 2, 3]),
            ("3,1,2,0", [0, 1, 2, 3]),
            ("8-11,0-3", [0, 1, 2, 3, 8, 9, 10, 11]),
            ("0-15:2", [0, 2, 4, 6, 8, 10, 12, 14]),
            ("1-10:3", [1, 4, 7, 10]),
            ("0-3:1", [0, 1, 2, 3]),
            ("0-15 : 4", [0, 4, 8, 12]),
            ("007", [7]),
        ] as [(String, [Int])]
    )
    func accepts(input: String, cpus: [Int]) throws {
        #expect(try CPUSet(parsing: input).sorted == cpus)
    }

    @Test(
        "the canonical description collapses runs",
        arguments: [
            ("8-11, 0-3", "0-3,8-11"),
            ("0,2,4,6-8", "0,2,4,6-8"),
            ("0-15:2", "0,2,4,6,8,10,12,14"),
            ("1,0", "0-1"),
            ("63-65", "63-65"),
        ]
    )
    func canonical(input: String, expected: String) throws {
        #expect(try CPUSet(parsing: input).description == expected)
    }

    // MARK: Grammar: rejected

    @Test(
        "the parser rejects bad input with a message naming the bad part",
        arguments: [
            ("", "empty"),
            ("   ", "empty"),
            ("abc", "\"abc\""),
            ("-1", "\"-1\""),
            ("5-3", "\"5-3\" ends before it starts"),
            ("1-2-3", "\"1-2-3\""),
            ("0x1", "\"0x1\""),
            ("1.5", "\"1.5\""),
            ("+3", "\"+3\""),
            ("0-abc", "\"0-abc\""),
            ("65536", "CPU 65536"),
            ("0-4000000000", "CPU 4000000000"),
            ("1,,2", "item 2 is empty"),
            ("1,", "item 2 is empty"),
            (",1", "item 1 is empty"),
            ("3:2", "a stride needs a range"),
            ("0-7:0", "stride in \"0-7:0\""),
            ("0-7:2:2", "\"0-7:2:2\""),
            ("1 2", "\"1 2\""),
        ]
    )
    func rejects(input: String, part: String) {
        #expect {
            try CPUSet(parsing: input)
        } throws: { error in
            guard let error = error as? LoomError else { return false }
            return error.code == .invalidCPUSet && error.description.contains(part)
                && error.description.contains("\"\(input)\"") && error.value == input
        }
    }

    @Test("a parse error re-attributed to a key names the key, source and value")
    func attributed() throws {
        do {
            _ = try CPUSet(parsing: "0-3,x")
            Issue.record("expected an error")
        } catch {
            let attributed = error.attributed(toKey: "cpuset", source: "environment variable LOOM_CPUSET")
            #expect(attributed.code == .invalidCPUSet)
            #expect(attributed.key == "cpuset")
            #expect(
                attributed.description.hasPrefix(
                    "Invalid value \"0-3,x\" for cpuset (environment variable LOOM_CPUSET): \"x\" is not"
                )
            )
        }
    }

    // MARK: Round trip

    @Test("parsing the description gives the same set back")
    func roundTrip() async {
        let cpus = Gen.int(in: 0...300).array(of: 0...40)
        await propertyCheck(input: cpus) { numbers throws in
            let set = CPUSet(numbers)
            if set.isEmpty {
                #expect(set.description == "")
            } else {
                #expect(try CPUSet(parsing: set.description) == set)
                #expect(set.sorted == Array(Set(numbers)).sorted())
            }
        }
    }

    @Test("the description of a parsed list is canonical: parsing it again changes nothing")
    func canonicalIsStable() async {
        let items = Gen.int(in: 0...200).array(of: 1...3).array(of: 1...12)
        await propertyCheck(input: items) { groups throws in
            // Each group becomes a single CPU, a range or a strided range, written with odd spacing.
            let text = groups.map { group -> String in
                switch group.count {
                case 1: return " \(group[0])"
                case 2: return "\(min(group[0], group[1])) - \(max(group[0], group[1]))"
                default:
                    return "\(min(group[0], group[1]))-\(max(group[0], group[1])):\(group[2] % 7 + 1) "
                }
            }.joined(separator: ",")
            let parsed = try CPUSet(parsing: text)
            #expect(try CPUSet(parsing: parsed.description) == parsed)
            #expect(try CPUSet(parsing: parsed.description).description == parsed.description)
        }
    }

    // MARK: Set algebra

    @Test("union, intersection and subtraction behave as for sets of integers")
    func algebra() async {
        let pair = zip(Gen.int(in: 0...200).array(of: 0...30), Gen.int(in: 0...200).array(of: 0...30))
        await propertyCheck(input: pair) { a, b in
            let (x, y) = (CPUSet(a), CPUSet(b))
            let (s, t) = (Set(a), Set(b))
            #expect(x.union(y).sorted == s.union(t).sorted())
            #expect(x.intersection(y).sorted == s.intersection(t).sorted())
            #expect(x.subtracting(y).sorted == s.subtracting(t).sorted())
            #expect(x.isSubset(of: y) == s.isSubset(of: t))
            #expect(x.isDisjoint(with: y) == s.isDisjoint(with: t))
            #expect(x.count == s.count)
            #expect(x.first == s.min())
            #expect(x.last == s.max())
        }
    }

    @Test("equal sets are equal whatever their history")
    func equality() {
        var grown = CPUSet([1, 200])
        grown.remove(200)
        #expect(grown == CPUSet([1]))
        #expect(grown.hashValue == CPUSet([1]).hashValue)
        #expect(CPUSet(0...3) == [0, 1, 2, 3])
    }

    @Test("insert, remove, contains, prefix")
    func mutation() {
        var set = CPUSet()
        #expect(set.isEmpty)
        #expect(set.first == nil && set.last == nil)
        set.insert(70)
        set.insert(3)
        set.insert(3)
        #expect(set.count == 2)
        #expect(set.contains(70) && set.contains(3) && !set.contains(4) && !set.contains(-1))
        #expect(set.prefix(1) == [3])
        #expect(set.prefix(5) == set)
        #expect(set.prefix(0).isEmpty)
        set.remove(70)
        set.remove(71)
        #expect(set == [3])
        #expect(set.description == "3")
    }

    // MARK: The process's CPUs

    @Test("the process's allowed set is not empty and contains the current thread's CPUs")
    func allowed() throws {
        let allowed = try CPUSet.allowed()
        #expect(!allowed.isEmpty)
        if let thread = CPUSet.currentThreadAffinity() {
            #expect(!thread.intersection(allowed).isEmpty)
        }
    }
}
