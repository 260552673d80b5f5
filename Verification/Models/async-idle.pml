/*
 * The async pool's idle protocol with one thread, as in Sources/Loom/AsyncPool/AsyncPool.swift: the thread A runs
 * jobs from a local FIFO (jobs A enqueues itself: a task it spawns or resumes) and from the shared queue (jobs other
 * threads enqueue: a task a compute thread hands back); idle, it announces itself, re-checks and parks; publishers
 * push to the shared queue, then wake A if it is listed asleep.
 *
 * Threads: A; a publisher P (a compute thread) that pushes TOTAL jobs to the shared queue. Each shared job A runs
 * enqueues one local job (spawnAsync's child); each local job just finishes.
 *
 * Checked: no lost wake-up — whenever every thread is blocked, every job has run.
 *
 * Variants (spin -D...):
 *   FORGETFUL_LOOP    a run loop that can go idle with local jobs left (it serves the local FIFO only within its
 *                     fairness streak). Still live: the re-check covers the local FIFO.
 *   NO_LOCAL_RECHECK  the re-check looks at the shared queue only (as before the fix). Live with the real loop, which
 *                     empties the local FIFO before idling; with FORGETFUL_LOOP it loses the local jobs.
 *   NO_RECHECK        parks without re-checking. Fails.
 *   TIMED_PARK        the park may end by itself (up to TIMEOUTS times in a run), as it does while a compute thread
 *                     that borrows the async CPU runs a job (AsyncPool.idle, Sleep.sleep(_:atMost:unless:)): the
 *                     thread then withdraws as after a successful re-check and goes round its run loop. Still live;
 *                     with NO_RECHECK it fails as before.
 * Run: spin -a [-D...] async-idle.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -E
 */
#ifndef TOTAL
#define TOTAL 2
#endif
#define STREAK 1
#ifndef TIMEOUTS
#define TIMEOUTS 2
#endif
byte timeouts = 0;

byte queue = 0;      /* the shared queue */
byte fifo = 0;      /* the local FIFO (A only) */
byte sleepers = 0;
bool asleep = 0;     /* A's sleeper word */
byte done = 0;

proctype AsyncThread() {
  byte streak = 0;
  bool work;
  do
  :: /* one turn of the run loop */
#ifdef FORGETFUL_LOOP
     /* the shared queue first; local jobs only within the streak, then idle even if some are left */
     if
     :: atomic { queue > 0 -> queue-- }; fifo++; streak = 0
     :: else ->
        if
        :: fifo > 0 && streak < STREAK -> fifo--; done++; streak++
        :: else -> streak = 0; goto idle
        fi
     fi;
     goto next;
#else
     if
     :: fifo > 0 && streak < STREAK -> fifo--; done++; streak++; goto next
     :: else -> streak = 0
     fi;
     if
     :: atomic { queue > 0 -> queue-- }; fifo++; goto next
     :: else ->
        if
        :: fifo > 0 -> fifo--; done++; goto next
        :: else -> skip
        fi
     fi;
#endif
idle:
     /* announce, fence, re-check, park (Sleep.sleep) */
     asleep = 1;
     sleepers++;
#ifndef NO_RECHECK
#ifdef NO_LOCAL_RECHECK
     work = (queue > 0);
#else
     work = (queue > 0 || fifo > 0);
#endif
     if
     :: work -> atomic { if :: asleep -> asleep = 0; sleepers-- :: else -> skip fi }
     :: else -> goto park
     fi;
     goto woken;
#endif
park:
#ifdef TIMED_PARK
     if
     :: !asleep
     :: timeouts < TIMEOUTS -> timeouts++;
        /* timed out: withdraw unless a claimer was faster */
        atomic { if :: asleep -> asleep = 0; sleepers-- :: else -> skip fi }
     fi;
#else
     !asleep;
#endif
woken:
     work = 0;
next:
     skip
  od
}

/* A compute thread resuming tasks onto the async pool: push, fence, wake A if listed asleep. */
proctype Publisher() {
  byte i = 0, seen;
  do
  :: i < TOTAL ->
     queue++;
     seen = sleepers;
     if
     :: seen != 0 -> atomic { if :: asleep -> asleep = 0; sleepers-- :: else -> skip fi }
     :: else -> skip
     fi;
     seen = 0;
     i++
  :: else -> break
  od
}

proctype Monitor() {
  timeout -> assert(done == TOTAL && queue == 0 && fifo == 0)
}

init {
  atomic { run AsyncThread(); run Publisher(); run Monitor() }
}
