// expect: passing closure as a 'sending' parameter risks causing data races
import Loom

final class Box { var value = 0 }

@MainActor final class Model {
    let box = Box()
}

@MainActor func handler(_ runtime: LoomRuntime, model: Model) async {
    let box = model.box  // Reachable from main-actor state: it cannot go to the compute pool.
    await runtime.spawnCompute { box.value += 1 }
}
