/// 120 bytes of nothing, placed between two hot atomics of a class so that they land on different cache lines
/// (and outside the adjacent-line prefetch pair on x86), the way crossbeam's `CachePadded` separates them.
package struct CachePadding {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private var more: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    package init() {
        self.words = (0, 0, 0, 0, 0, 0, 0, 0)
        self.more = (0, 0, 0, 0, 0, 0, 0)
    }
}
