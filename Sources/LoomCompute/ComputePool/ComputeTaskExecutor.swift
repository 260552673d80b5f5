/// The compute pool seen as a Swift `TaskExecutor`: a task that prefers it runs its jobs on the compute workers,
/// queued in the same deques and injector as every other compute job (tagged ``JobRef``s), so a hop onto the pool
/// allocates nothing. The bridge (`LoomRuntime.spawnCompute`) moves a task here for the length of a synchronous
/// closure and back.
///
/// After the pool has closed, a job still arriving (a task resumed late) runs on the global concurrent executor
/// rather than being lost.
import LoomSystem

package final class ComputeTaskExecutor: TaskExecutor {
    unowned(unsafe) let registry: Registry
    // unowned(unsafe): the registry owns this executor's only strong reference path (ComputePool keeps both), and
    // tasks only prefer this executor while a tracked bridge call is running.

    package init(registry: Registry) { self.registry = registry }

    package func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !self.registry.enqueueTask(unowned) {
            globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
        }
    }
}
