// Must not compile: a ~Escapable struct (experimental `Lifetimes`) may not hold a non-escaping closure either.
struct Job: ~Escapable {
    let body: () -> Void
    @_lifetime(immortal)
    init(_ body: () -> Void) { self.body = body }
}
@inline(never) func viaNonescapable(_ body: () -> Void) {
    let job = Job(body)
    job.body()
}
viaNonescapable {}
