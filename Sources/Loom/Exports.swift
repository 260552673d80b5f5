// `import Loom` gives a runtime user everything: the compute pool and parallel operations (LoomCompute), the
// builder and configuration (LoomConfiguration), and the types they share (LoomSystem).
@_exported import LoomCompute
@_exported import LoomConfiguration
@_exported import LoomSystem

#if !Runtime
#error(
    "The Loom module needs the package trait Runtime (on by default); without it, use LoomCompute or LoomConfiguration."
)
#endif
