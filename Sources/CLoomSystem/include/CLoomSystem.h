// CLoomSystem: the only C in Loom. It wraps the GNU extensions that Glibc's Swift overlay does not
// expose (affinity, thread names, getcpu, gettid) and the futex, behind plain C functions.
// On platforms without these calls every function still exists and reports ENOSYS (or -1), so the
// Swift code builds everywhere and degrades to "not pinned".
#ifndef CLOOM_LINUX_H
#define CLOOM_LINUX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reads the affinity mask of the *process* (sched_getaffinity of getpid(), not of the calling thread)
/// into `words` (64 CPUs per word). Returns the number of bytes the kernel wrote, or -errno
/// (-EINVAL means the buffer is smaller than the kernel's CPU mask: grow it and retry).
long cloom_process_affinity(uint64_t *words, size_t word_count);

/// Reads the calling thread's affinity mask. Same return convention as cloom_process_affinity.
long cloom_thread_affinity(uint64_t *words, size_t word_count);

/// Pins the calling thread to the CPUs in `words`. Returns 0 or an errno value.
int cloom_pin_self(const uint64_t *words, size_t word_count);

/// Sets the affinity in a thread attribute, so the new thread never runs elsewhere. 0 or an errno value.
int cloom_attr_set_affinity(pthread_attr_t *attr, const uint64_t *words, size_t word_count);

/// Names the calling thread (at most 15 bytes on Linux). Returns 0 or an errno value (ERANGE if too long).
int cloom_set_name_self(const char *name);

/// Reads the calling thread's name into `buffer`. Returns 0 or an errno value.
int cloom_get_name_self(char *buffer, size_t size);

/// Lowers the calling thread to an idle priority. `mode` 0: `SCHED_BATCH` at nice 19 with a 0.1 ms time slice
/// (`sched_setattr`; kernels without per-task slices keep their default slice). `mode` 1: `SCHED_IDLE`. `mode` 2: nice
/// 19 under the normal policy. Returns 0 or an errno value (ENOSYS where none exists).
int cloom_lower_priority_self(int mode);

/// What `cloom_priority_self` gave on the calling thread before `cloom_lower_priority_self` lowered it, or -1 when
/// it never did.
int cloom_priority_before_lowering(void);

/// Sets the calling thread's scheduling back to `priority` (a `cloom_priority_self` value of the normal, batch or
/// idle policy), all or nothing. Lowering the nice value needs CAP_SYS_NICE or RLIMIT_NICE: 0 or an errno value
/// (EPERM then).
int cloom_restore_priority_self(int priority);

/// The calling thread's scheduling as `policy * 100 + nice + 20` (policy: 0 `SCHED_OTHER`, 3 `SCHED_BATCH`, 5
/// `SCHED_IDLE`; so 20 is the normal policy at nice 0), or -1 where it cannot be read.
int cloom_priority_self(void);

/// The CPU the calling thread runs on now, or -1.
int cloom_current_cpu(void);

/// The kernel thread id of the calling thread (what /proc/self/task/<tid> uses), or -1.
long cloom_gettid(void);

/// Blocks while `*address == expected` (a futex wait on private memory). Returns 0 when woken or when the
/// value differed, or an errno value (EINTR, ETIMEDOUT). `timeout_ns` < 0 waits without a deadline.
int cloom_futex_wait(uint32_t *address, uint32_t expected, int64_t timeout_ns);

/// Wakes up to `count` threads blocked in cloom_futex_wait on `address`. Returns how many were woken.
int cloom_futex_wake(uint32_t *address, int count);

/// A CPU hint for spin loops (x86 `pause`, arm `yield`).
static inline void cloom_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ __volatile__("pause" ::: "memory");
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/// Gives the CPU away (sched_yield).
void cloom_yield(void);

/// Fault injection for the wait/wake protocols (Swift builds with `-DLOOM_CHAOS` call it at the protocols'
/// critical windows; release builds never do): with probability 1/`LOOM_CHAOS_ONE_IN` (environment, default 8)
/// the calling thread yields its CPU or busy-waits up to ~20 µs, widening the window it is in.
void cloom_chaos_point(void);

/// Thread-local slots Swift cannot declare itself: the compute-pool worker and the Loom runtime the calling
/// thread belongs to (unretained pointers; NULL on other threads). Inline so that reading them costs a TLS load.
extern __thread void *cloom_tls_worker;
extern __thread void *cloom_tls_runtime;
extern __thread void *cloom_tls_parker;
extern __thread void *cloom_tls_async_pool;
extern __thread void *cloom_tls_default_registry;
extern __thread void *cloom_tls_latency_stripe;
extern __thread uint32_t cloom_tls_sample_tick;
/// The compute pool that `.parallel`, `join` and `scope` use on a thread that is not a compute worker (a runtime's
/// async and I/O threads point it at the runtime's compute pool); NULL elsewhere.
static inline void *cloom_default_registry(void) { return cloom_tls_default_registry; }
static inline void cloom_set_default_registry(void *registry) { cloom_tls_default_registry = registry; }
static inline void *cloom_current_async_pool(void) { return cloom_tls_async_pool; }
static inline void cloom_set_current_async_pool(void *pool) { cloom_tls_async_pool = pool; }
static inline void *cloom_current_parker(void) { return cloom_tls_parker; }
static inline void cloom_set_current_parker(void *parker) { cloom_tls_parker = parker; }
static inline void *cloom_current_worker(void) { return cloom_tls_worker; }
static inline void cloom_set_current_worker(void *worker) { cloom_tls_worker = worker; }
static inline void *cloom_current_runtime(void) { return cloom_tls_runtime; }
static inline void cloom_set_current_runtime(void *runtime) { cloom_tls_runtime = runtime; }
/// The bridge-latency histograms an async-pool thread records into (its own, so recording writes no shared line).
static inline void *cloom_current_latency_stripe(void) { return cloom_tls_latency_stripe; }
static inline void cloom_set_current_latency_stripe(void *stripe) { cloom_tls_latency_stripe = stripe; }

/// True for one call in 8 on each thread: which bridge round trips are timed (a sample, so that timing costs ~1/8 of
/// two clock reads per call).
static inline int cloom_sample_tick(void) { return (++cloom_tls_sample_tick & 7u) == 0; }

/// CLOCK_MONOTONIC in nanoseconds (a vDSO call, ~20 ns): the statistics' busy/idle times and bridge latencies.
static inline uint64_t cloom_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/// The statistics console's socket (`LOOM_CONSOLE`): a Unix stream socket bound at `path`, made owner-only
/// (mode 0600) *before* it listens, so no other user can ever connect. Returns the listening fd (close-on-exec,
/// non-blocking) or -errno; -ENAMETOOLONG when the path does not fit a sockaddr_un.
int cloom_unix_listen(const char *path, int backlog);

/// Connects a close-on-exec Unix stream socket to `path`; returns the fd or -errno.
int cloom_unix_connect(const char *path);

/// The user id of the process at the other end of a connected Unix socket (SO_PEERCRED), or -errno.
long cloom_peer_uid(int fd);

#ifdef __cplusplus
}
#endif

#endif
