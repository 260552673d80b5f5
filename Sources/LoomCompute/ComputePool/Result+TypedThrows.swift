// Two `Result` helpers the pool's typed-throws paths share.

extension Result {
    /// `Result(catching:)` for a closure with a typed `throws`: the failure keeps its type.
    @inlinable
    package init(catching body: () throws(Failure) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }

    /// The error, if this is a failure.
    @inlinable
    package var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
