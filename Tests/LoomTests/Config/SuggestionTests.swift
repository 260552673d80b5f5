import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Suggestions")
struct SuggestionTests {
    @Test(
        "close misspellings find their key; far ones find nothing",
        arguments: [
            ("compute_thread", "compute_threads"),
            ("computeThreads", "compute_threads"),
            ("COMPUTE_THREADS", "compute_threads"),
            ("asyn_threads", "async_threads"),
            ("pin_thread", "pin_threads"),
            ("prefx", "prefix"),
            ("cpu_set", "cpuset"),
            ("threads", nil),
            ("colour", nil),
        ] as [(String, String?)]
    )
    func closest(word: String, expected: String?) {
        #expect(Suggestion.closest(to: word, among: LoomConfiguration.Key.allSpellings) == expected)
    }

    @Test("the edit distance counts insertions, deletions and substitutions")
    func distance() {
        #expect(Suggestion.distance(Array("kitten"), Array("sitting")) == 3)
        #expect(Suggestion.distance(Array(""), Array("abc")) == 3)
        #expect(Suggestion.distance(Array("abc"), Array("abc")) == 0)
    }
}
