// expect: risks causing data races
import Loom

final class Box { var value = 0 }

@MainActor func handler(_ runtime: LoomRuntime) async {
    let box = Box()
    await runtime.spawnCompute { box.value += 1 }
    print(box.value)
}
