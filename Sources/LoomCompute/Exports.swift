// What a compute user needs besides the pool: CPUSet, LoomThreadInfo and LoomError live in the internal module
// LoomSystem (shared with the runtime), and come with `import LoomCompute`.
@_exported import LoomSystem
