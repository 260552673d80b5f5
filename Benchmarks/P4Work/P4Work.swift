// The per-element work of P4, shared by the benchmark target (`ParallelBenchmarks`) and the interleaved program
// (`ParallelInterleaved`) so that both measure the same arithmetic.
//
// The arithmetic is multiplication in GF(2^64) (carry-less, modulo x^64 + x^4 + x^3 + x + 1), bit by bit: a chain
// of 64 dependent shift/xor steps the compiler cannot vectorize or fold. Multiplication in a field is
// associative and commutative with identity 1, so it is also a fair `reduce` operation. `f` is four of them.
// Measured here (sequential baselines, AMD EPYC VM): one multiplication 54-75 ns, `f` 215-270 ns per element; the
// range is the machine's noise, not the code's.

/// a × b in GF(2^64).
@inlinable @inline(__always)
public func gfMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var a = a
    var b = b
    var product: UInt64 = 0
    for _ in 0..<64 {
        product ^= a & (0 &- (b & 1))
        a = (a << 1) ^ (0x1B & (0 &- (a >> 63)))
        b >>= 1
    }
    return product
}

/// The per-element work of the map benchmarks: four GF(2^64) multiplications (~220 ns).
@inline(never)
public func f(_ x: Int) -> UInt64 {
    var h = UInt64(truncatingIfNeeded: x) | 1
    h = gfMultiply(h, 0x9E37_79B9_7F4A_7C15)
    h = gfMultiply(h, 0xC2B2_AE3D_27D4_EB4F)
    h = gfMultiply(h, 0x1656_67B1_9E37_79F9)
    h = gfMultiply(h, 0x27D4_EB2F_1656_67C5)
    return h
}

/// The reduce operation: one GF(2^64) multiplication (~55 ns).
@inline(never)
public func gfProduct(_ a: UInt64, _ b: UInt64) -> UInt64 { gfMultiply(a, b) }
