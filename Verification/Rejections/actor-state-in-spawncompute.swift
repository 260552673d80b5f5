// expect: actor-isolated property 'total' can not be referenced from a nonisolated context
import Loom

actor Totals {
    var total = 0
    func add(_ runtime: LoomRuntime) async {
        _ = await runtime.spawnCompute { self.total + 1 }
    }
}
