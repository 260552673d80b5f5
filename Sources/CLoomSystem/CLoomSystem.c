#define _GNU_SOURCE
#include "CLoomSystem.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

long cloom_process_affinity(uint64_t *words, size_t word_count) {
    // The raw syscall (not glibc's cpu_set_t wrapper) so that masks larger than 1024 CPUs work, and
    // getpid() so the answer is the process's mask even when the caller is an already-pinned thread.
    long rc = syscall(SYS_sched_getaffinity, getpid(), word_count * sizeof(uint64_t), words);
    return rc < 0 ? -errno : rc;
}

long cloom_thread_affinity(uint64_t *words, size_t word_count) {
    long rc = syscall(SYS_sched_getaffinity, 0, word_count * sizeof(uint64_t), words);
    return rc < 0 ? -errno : rc;
}

int cloom_pin_self(const uint64_t *words, size_t word_count) {
    return pthread_setaffinity_np(pthread_self(), word_count * sizeof(uint64_t), (const cpu_set_t *)words);
}

int cloom_attr_set_affinity(pthread_attr_t *attr, const uint64_t *words, size_t word_count) {
    return pthread_attr_setaffinity_np(attr, word_count * sizeof(uint64_t), (const cpu_set_t *)words);
}

int cloom_set_name_self(const char *name) { return pthread_setname_np(pthread_self(), name); }

int cloom_get_name_self(char *buffer, size_t size) { return pthread_getname_np(pthread_self(), buffer, size); }

int cloom_current_cpu(void) { return sched_getcpu(); }

// The kernel's struct sched_attr (linux/sched/types.h), spelled out: glibc has no wrapper for sched_setattr.
struct cloom_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;  // for SCHED_NORMAL/SCHED_BATCH since Linux 6.12: the task's time slice, in ns
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};

// The raw system calls, not glibc's wrappers: musl's sched_setscheduler and sched_getscheduler are stubs that fail
// with ENOSYS (POSIX says they act on processes; Linux applies them to the calling thread with pid 0).
static int cloom_set_policy_self(int policy) {
    struct sched_param param = { .sched_priority = 0 };
    return syscall(SYS_sched_setscheduler, 0, policy, &param) == 0 ? 0 : errno;
}

static __thread int cloom_tls_priority_before = -1;

int cloom_priority_before_lowering(void) { return cloom_tls_priority_before; }

int cloom_restore_priority_self(int priority) {
    int policy = priority / 100;
    int nice = priority % 100 - 20;
#ifdef SYS_sched_setattr
    // One call for policy, nice and slice (0: the default), so that the kernel either makes all three or none
    // (lowering the nice value needs CAP_SYS_NICE or RLIMIT_NICE).
    struct cloom_sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = (uint32_t)policy;
    attr.sched_nice = nice;
    return syscall(SYS_sched_setattr, 0, &attr, 0) == 0 ? 0 : errno;
#else
    int rc = cloom_set_policy_self(policy);
    if (rc != 0) return rc;
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice) == 0 ? 0 : errno;
#endif
}

int cloom_lower_priority_self(int mode) {
    pid_t tid = (pid_t)syscall(SYS_gettid);
    cloom_tls_priority_before = cloom_priority_self();
    switch (mode) {
    case 0: {
        // For measurement (LOOMTUNING_IDLE_POLICY=batch). SCHED_BATCH never preempts on wake-up; nice 19 gives it
        // 1.5% of a contended CPU; the 0.1 ms slice is meant to shorten how long a normal thread that becomes runnable
        // behind it waits (EEVDF lets the running task finish its slice), though the kernel enforces slices at its
        // tick, so waits of milliseconds were still measured (Documentation/Internals/AsyncPool.md). pid 0: the
        // calling thread.
#ifdef SYS_sched_setattr
        struct cloom_sched_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.size = sizeof attr;
        attr.sched_policy = SCHED_BATCH;
        attr.sched_nice = 19;
        attr.sched_runtime = 100000;
        if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0) return 0;
#endif
        int rc = cloom_set_policy_self(SCHED_BATCH);
        if (rc != 0) return rc;
        return setpriority(PRIO_PROCESS, (id_t)tid, 19) == 0 ? 0 : errno;
    }
    case 1:
        // The default for borrowers: the kernel preempts a SCHED_IDLE thread at once for any other thread that wakes
        // on its CPU, and counts a CPU running only such threads as idle when it places a waking thread. A normal
        // thread that was preempted a moment before can still wait behind it until the next tick (EEVDF's
        // eligibility); the async pool's timed park bounds that (AsyncPool.isBorrowerRunning).
        return cloom_set_policy_self(SCHED_IDLE);
    default:
        // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
        return setpriority(PRIO_PROCESS, (id_t)tid, 19) == 0 ? 0 : errno;
    }
}

int cloom_priority_self(void) {
    long policy = syscall(SYS_sched_getscheduler, 0);
    if (policy < 0) return -1;
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
    if (nice == -1 && errno != 0) return -1;
    return (int)(policy & ~SCHED_RESET_ON_FORK) * 100 + nice + 20;
}

long cloom_gettid(void) { return (long)syscall(SYS_gettid); }

int cloom_futex_wait(uint32_t *address, uint32_t expected, int64_t timeout_ns) {
    struct timespec ts;
    struct timespec *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tsp = &ts;
    }
    long rc = syscall(SYS_futex, address, FUTEX_WAIT_PRIVATE, expected, tsp, NULL, 0);
    if (rc == 0) return 0;
    return errno == EAGAIN ? 0 : errno;
}

int cloom_futex_wake(uint32_t *address, int count) {
    long rc = syscall(SYS_futex, address, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
    return rc < 0 ? 0 : (int)rc;
}

#else  // Not Linux: no affinity; a striped mutex/condvar table stands in for the futex.

#include <stdatomic.h>
#include <sys/time.h>

long cloom_process_affinity(uint64_t *words, size_t word_count) { (void)words; (void)word_count; return -ENOSYS; }
long cloom_thread_affinity(uint64_t *words, size_t word_count) { (void)words; (void)word_count; return -ENOSYS; }
int cloom_pin_self(const uint64_t *words, size_t word_count) { (void)words; (void)word_count; return ENOSYS; }
int cloom_attr_set_affinity(pthread_attr_t *attr, const uint64_t *words, size_t word_count) {
    (void)attr; (void)words; (void)word_count; return ENOSYS;
}
#if defined(__APPLE__)
int cloom_set_name_self(const char *name) { return pthread_setname_np(name); }
#else
int cloom_set_name_self(const char *name) { (void)name; return ENOSYS; }
#endif
int cloom_get_name_self(char *buffer, size_t size) { return pthread_getname_np(pthread_self(), buffer, size); }
int cloom_current_cpu(void) { return -1; }
int cloom_lower_priority_self(int mode) { (void)mode; return ENOSYS; }
int cloom_priority_before_lowering(void) { return -1; }
int cloom_restore_priority_self(int priority) { (void)priority; return ENOSYS; }
int cloom_priority_self(void) { return -1; }
long cloom_gettid(void) { return -1; }

#define CLOOM_STRIPES 64
static pthread_mutex_t cloom_locks[CLOOM_STRIPES] = { [0 ... CLOOM_STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER };
static pthread_cond_t cloom_conds[CLOOM_STRIPES] = { [0 ... CLOOM_STRIPES - 1] = PTHREAD_COND_INITIALIZER };

static size_t cloom_stripe(uint32_t *address) { return ((uintptr_t)address >> 4) % CLOOM_STRIPES; }

int cloom_futex_wait(uint32_t *address, uint32_t expected, int64_t timeout_ns) {
    size_t s = cloom_stripe(address);
    int rc = 0;
    pthread_mutex_lock(&cloom_locks[s]);
    if (__atomic_load_n(address, __ATOMIC_SEQ_CST) == expected) {
        if (timeout_ns < 0) {
            rc = pthread_cond_wait(&cloom_conds[s], &cloom_locks[s]);
        } else {
            struct timeval now;
            gettimeofday(&now, NULL);
            int64_t deadline = (int64_t)now.tv_sec * 1000000000 + (int64_t)now.tv_usec * 1000 + timeout_ns;
            struct timespec ts = { (time_t)(deadline / 1000000000), (long)(deadline % 1000000000) };
            rc = pthread_cond_timedwait(&cloom_conds[s], &cloom_locks[s], &ts);
        }
    }
    pthread_mutex_unlock(&cloom_locks[s]);
    return rc;
}

int cloom_futex_wake(uint32_t *address, int count) {
    size_t s = cloom_stripe(address);
    pthread_mutex_lock(&cloom_locks[s]);
    pthread_cond_broadcast(&cloom_conds[s]);
    pthread_mutex_unlock(&cloom_locks[s]);
    return count;
}

#endif

void cloom_yield(void) { sched_yield(); }

#include <stdlib.h>

static __thread uint64_t cloom_chaos_state = 0;
static unsigned cloom_chaos_one_in = 0;

void cloom_chaos_point(void) {
    unsigned one_in = __atomic_load_n(&cloom_chaos_one_in, __ATOMIC_RELAXED);
    if (one_in == 0) {
        const char *text = getenv("LOOM_CHAOS_ONE_IN");
        long value = text ? strtol(text, NULL, 10) : 8;
        one_in = value > 0 ? (unsigned)value : 8;
        __atomic_store_n(&cloom_chaos_one_in, one_in, __ATOMIC_RELAXED);
    }
    uint64_t x = cloom_chaos_state;
    if (x == 0) x = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&cloom_chaos_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    cloom_chaos_state = x;
    if (x % one_in != 0) return;
    if ((x >> 32) & 1) {
        sched_yield();
    } else {
        unsigned spins = (unsigned)((x >> 40) % 4096);
        for (unsigned i = 0; i < spins; i++) cloom_cpu_relax();
    }
}

// MARK: The statistics console's Unix socket

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

static int cloom_unix_address(const char *path, struct sockaddr_un *address) {
    size_t length = strlen(path);
    if (length == 0) return -EINVAL;
    if (length >= sizeof(address->sun_path)) return -ENAMETOOLONG;
    memset(address, 0, sizeof(*address));
    address->sun_family = AF_UNIX;
    memcpy(address->sun_path, path, length + 1);
    return 0;
}

static int cloom_unix_socket(void) {
#ifdef SOCK_CLOEXEC
    return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
#else
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#endif
}

int cloom_unix_listen(const char *path, int backlog) {
    struct sockaddr_un address;
    int rc = cloom_unix_address(path, &address);
    if (rc < 0) return rc;
    int fd = cloom_unix_socket();
    if (fd < 0) return -errno;
    // Bound but not listening, a socket refuses every connection; it listens only once it is owner-only.
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0 || chmod(path, S_IRUSR | S_IWUSR) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    if (listen(fd, backlog) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        int error = errno;
        close(fd);
        unlink(path);
        return -error;
    }
    return fd;
}

int cloom_unix_connect(const char *path) {
    struct sockaddr_un address;
    int rc = cloom_unix_address(path, &address);
    if (rc < 0) return rc;
    int fd = cloom_unix_socket();
    if (fd < 0) return -errno;
    if (connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

long cloom_peer_uid(int fd) {
#ifdef SO_PEERCRED
    struct ucred credentials;
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -errno;
    return (long)credentials.uid;
#else
    uid_t uid;
    gid_t gid;
    if (getpeereid(fd, &uid, &gid) != 0) return -errno;
    return (long)uid;
#endif
}

__thread void *cloom_tls_worker = NULL;
__thread void *cloom_tls_runtime = NULL;
__thread void *cloom_tls_parker = NULL;
__thread void *cloom_tls_async_pool = NULL;
__thread void *cloom_tls_default_registry = NULL;
__thread void *cloom_tls_latency_stripe = NULL;
__thread uint32_t cloom_tls_sample_tick = 0;
