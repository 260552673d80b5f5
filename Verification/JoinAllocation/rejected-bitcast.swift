// Must not compile: unsafeBitCast cannot turn a non-escaping closure into a storable one.
@inline(never) func viaBitCast(_ body: () -> Void) {
    let escapable = unsafeBitCast(body, to: (() -> Void).self)
    escapable()
}
viaBitCast {}
