import Testing

@testable import Loom

@Suite("CPUSet")
struct CPUSetTests {
    @Test("the canonical description collapses runs", arguments: [
        ("8-11, 0-3", "0-3,8-11"),
        ("0,2,4,6-8", "0,2,4,6-8"),
        ("0-15:2", "0,2,4,6,8,10,12,14"),
    ])
    func canonical(input: String, expected: String) throws {
        #expect(try CPUSet(parsing: input).description == expected)
    }

    @Test("the process's allowed set is not empty")
    func allowed() throws {
        #expect(try !CPUSet.allowed().isEmpty)
    }
}
