// CPUSet, LoomThreadInfo and LoomError (module LoomSystem) come with `import LoomConfiguration`.
@_exported import LoomSystem
