/*
 * The compute pool's sleep protocol, as in Sources/Loom/ComputePool/Sleep.swift, WorkerThread.swift and Latch.swift:
 * idle workers search (the `searching` rule), then announce, re-check and park; publishers wake one sleeper unless
 * someone searches; a searcher that leaves to run a job as the last searcher hands the wake-up on; latch setters wake
 * the waiting worker through the sleep protocol (claim, then unpark), only if it marked the latch sleepy.
 *
 * Threads: N workers; an outside thread O that injects a job J (an `install`) and waits on J's latch; a publisher P
 * that injects TOTAL_T task jobs (tasks hopping onto the pool). J runs `join(a, b)`: b goes on the deque of the worker
 * running J, which waits on b's latch if another worker stole b.
 *
 * A worker's sleep state is one futex word (Sleeper): `asleep` from its announcement until a claimer swaps it to
 * `awake`; the worker blocks while it reads `asleep`. O's parker (model blocking-wait.pml checks the parker itself) is
 * abstracted to its contract: unpark leaves a token; park blocks until a token is there and takes it.
 *
 * Checked:
 *   - no lost wake-up: whenever every thread is blocked, every job has run and O's install has returned;
 *   - no wasted wake-up: a worker is claimed only if nobody has woken it since it announced itself, so a publisher's
 *     wake-up always goes to a worker that is really asleep, never to one that is already waking up.
 *
 * Variants (spin -D...):
 *   OLD             the protocol at e75a742: a `sleeping` flag beside a parker token, and latch setters that unpark
 *                   the waiting worker directly without claiming it. Fails "no wasted wake-up": a publisher claims a
 *                   worker a latch setter already woke, and its job waits while another worker sleeps.
 *   FLAG_AND_TOKEN  flag and token, latch setters claim first (the first attempt at a fix). Still fails it: a
 *                   claimer's late unpark wakes the worker's next sleep while its flag says asleep.
 *   NO_RECHECK      a sleeper parks without re-checking after announcing. Fails "no lost wake-up".
 *   NO_SEARCH_LAST  the last worker never searches (a borrower of the async CPUs, `share_async_cpus`): must pass,
 *                   alone, with BROADCAST, and fail with NO_RECHECK.
 *
 * With BROADCAST (checked with TOTAL_T=0: the task publisher adds nothing to it but states), a broadcaster B (ComputePool.broadcast) also puts one job in each worker's inbox — which only that
 * worker may take — and claims that particular worker (Sleep.wake(member:)); a worker looks in its inbox before
 * stealing and in its re-check before parking. Variants that must fail "no lost wake-up":
 *   NO_INBOX_RECHECK  the re-check before parking leaves out the worker's own inbox;
 *   NO_INBOX_WAKE     the broadcaster does not claim the worker after filling its inbox.
 * Run: spin -a [-DN=3] [-DOLD] compute-sleep.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -E
 */
#if defined(OLD) || defined(FLAG_AND_TOKEN)
#define TOKENS 1
#endif
#ifndef N
#define N 2
#endif
#ifndef TOTAL_T
#define TOTAL_T 1
#endif
#define O N
#define NONE 0
#define T 1
#define J 2
#define B 3
#define I 4
#define UNSET 0
#define SLEEPY 1
#define SET 2

byte injector = 0;   /* task jobs waiting in the injector */
bool injJ = 0;       /* J waiting in the injector */
bool dequeB[N];      /* b waiting on worker i's deque */
byte sleepers = 0;
byte searching = 0;
bool sleeping[N];    /* listed asleep: the sleeper word (or, with TOKENS, the flag beside the parker) */
bool token[N + 1];   /* parker tokens: O's at index N; the workers' only with TOKENS */
bool signalled[N];   /* woken since its last announcement (for the wasted-wake-up check) */
byte latchB = UNSET; /* b's latch, waited on by the worker that ran J */
byte latchJ = UNSET; /* J's latch, waited on by O */
byte bOwner = 0;
byte doneT = 0;
bool inbox[N];       /* a broadcast job waiting for worker i (BROADCAST) */
byte doneBroadcast = 0;

/* A claim: takes the worker off the sleepers; the wake-up it stands for must be the first since the announcement. */
#define CLAIM(m) atomic { sleeping[m] -> sleeping[m] = 0; sleepers--; assert(!signalled[m]); signalled[m] = 1 }

/* After a claim: with the sleeper word the claim itself is the wake-up (the futex_wake only ends the wait); with
   TOKENS the claimer leaves a token, as a separate, possibly late, step. */
#ifdef TOKENS
inline wakeAfterClaim(m) { atomic { token[m] = 1; signalled[m] = 1 } }
#else
inline wakeAfterClaim(m) { skip }
#endif

/* Claim one listed-asleep worker and wake it (Sleep.wakeOne); nobody when none is listed. */
inline wakeOne() {
  if
  :: CLAIM(0); wakeAfterClaim(0)
  :: CLAIM(1); wakeAfterClaim(1)
#if N > 2
  :: CLAIM(2); wakeAfterClaim(2)
#endif
  :: else -> skip
  fi
}

/* After publishing: a fence, then sleepers and searching (Sleep.newWork). */
inline newWork() {
  s1 = sleepers;
  s2 = searching;
  if
  :: s1 != 0 && s2 == 0 -> wakeOne()
  :: else -> skip
  fi;
  d_step { s1 = 0; s2 = 0 }
}

#if N > 2
inline visible(v) { v = (injector > 0 || injJ || dequeB[0] || dequeB[1] || dequeB[2]) }
#else
inline visible(v) { v = (injector > 0 || injJ || dequeB[0] || dequeB[1]) }
#endif

/* Leaving the search to work (Sleep.stopSearching): the last searcher hands the wake-up on. */
inline stopSearching() {
  searching--;
  s1 = sleepers;
  s2 = searching;
  visible(v);
  if
  :: s1 != 0 && s2 == 0 && v -> wakeOne()
  :: else -> skip
  fi;
  d_step { s1 = 0; s2 = 0; v = 0 }
}

/* The re-check's look at the worker's own inbox (only that worker takes its inbox jobs). */
#if defined(BROADCAST) && !defined(NO_INBOX_RECHECK)
inline ownInbox(v) { v = v || inbox[me] }
#else
inline ownInbox(v) { skip }
#endif

/* Own deque, then the own inbox, then steal from the others, then the injector (WorkerThread.findWork). */
inline findWork(job) {
  job = NONE;
  atomic { if :: dequeB[me] -> dequeB[me] = 0; job = B :: else -> skip fi };
#ifdef BROADCAST
  if
  :: job == NONE -> atomic { if :: inbox[me] -> inbox[me] = 0; job = I :: else -> skip fi }
  :: else -> skip
  fi;
#endif
  if
  :: job == NONE -> atomic { if :: dequeB[(me + 1) % N] -> dequeB[(me + 1) % N] = 0; job = B :: else -> skip fi }
  :: else -> skip
  fi;
#if N > 2
  if
  :: job == NONE -> atomic { if :: dequeB[(me + 2) % N] -> dequeB[(me + 2) % N] = 0; job = B :: else -> skip fi }
  :: else -> skip
  fi;
#endif
  if
  :: job == NONE ->
     atomic {
       if
       :: injJ -> injJ = 0; job = J
       :: injector > 0 -> injector--; job = T
       :: else -> skip
       fi
     }
  :: else -> skip
  fi
}

/* Withdraw or wake up: clear the own flag if nobody claimed it (Sleep.sleep's last claim). */
inline claimSelf() { atomic { if :: sleeping[me] -> sleeping[me] = 0; sleepers-- :: else -> skip fi } }

/* Block until woken: with the sleeper word, until a claim swapped it to awake; with TOKENS, until a token. */
#ifdef TOKENS
inline block() { atomic { token[me] -> token[me] = 0 }; claimSelf() }
#else
inline block() { !sleeping[me] }
#endif

/* Announce, re-check, park (the end of WorkerThread.idle). `waits` is 1 when the worker waits for latchB (it then
   marks it sleepy first), 0 in the main loop. */
inline park(waits) {
  ok = 1;
#ifndef OLD
  if
  :: waits -> atomic { if :: latchB == SET -> ok = 0 :: else -> latchB = SLEEPY fi }
  :: else -> skip
  fi;
#endif
  if
  :: ok ->
     atomic { sleeping[me] = 1; signalled[me] = 0 };
     sleepers++;
#ifndef NO_RECHECK
     visible(v);
     ownInbox(v);
     if
     :: (waits && latchB == SET) || v -> claimSelf()
     :: else -> block()
     fi;
#else
     block();
#endif
#ifndef OLD
     if
     :: waits -> atomic { if :: latchB == SLEEPY -> latchB = UNSET :: else -> skip fi }
     :: else -> skip
     fi
#endif
  :: else -> skip
  fi;
  job2 = NONE
}

/* One idle period (WorkerThread.idle): search once, then park. Leaves a found job in job2. With NO_SEARCH_LAST the
   last worker is a borrower of the async CPUs (WorkerThread.borrows): it never searches, so it neither counts in
   `searching` nor looks again before parking (its caller has just looked). */
inline idle(waits) {
#ifdef NO_SEARCH_LAST
  if
  :: me == N - 1 -> job2 = NONE; park(waits)
  :: else ->
#endif
  searching++;
  if
  :: waits && latchB == SET -> stopSearching(); job2 = NONE
  :: else ->
     findWork(job2);
     if
     :: job2 != NONE -> stopSearching()
     :: else ->
        searching--;
        park(waits)
     fi
  fi
#ifdef NO_SEARCH_LAST
  fi
#endif
}

/* b's latch is set by whoever ran b (Latch.set). */
inline setLatchB() {
#ifdef OLD
  latchB = SET;
  atomic { signalled[bOwner] = 1; token[bOwner] = 1 }
#else
  atomic { previous = latchB; latchB = SET };
  if
  :: previous == SLEEPY ->
     if
     :: CLAIM(bOwner); wakeAfterClaim(bOwner)
     :: else -> skip
     fi
  :: else -> skip
  fi
#endif
}

inline runSimple(job) {
  if
  :: job == T -> doneT++
  :: job == I -> doneBroadcast++
  :: job == B -> setLatchB()
  :: else -> skip
  fi
}

proctype Worker(byte me) {
  byte job, job2, previous, s1, s2;
  bool ok, v;
  do
  :: d_step { job = NONE; job2 = NONE; previous = 0; ok = 0; v = 0 };
     findWork(job);
     if
     :: job == NONE -> idle(0); job = job2
     :: else -> skip
     fi;
     if
     :: job == J ->
        /* join(a, b): push b, run a, take b back unless stolen, else wait for its latch running other jobs */
        bOwner = me;
        dequeB[me] = 1;
        newWork();
        atomic { if :: dequeB[me] -> dequeB[me] = 0; ok = 1 :: else -> ok = 0 fi };
        if
        :: ok -> skip
        :: else ->
           do
           :: latchB == SET -> break
           :: else ->
              d_step { job2 = NONE; v = 0 };
              findWork(job);
              if
              :: job != NONE -> runSimple(job)
              :: else -> idle(1); runSimple(job2)
              fi
           od
        fi;
        /* J is done: its latch wakes O if O marked it sleepy */
#ifdef OLD
        latchJ = SET;
        token[O] = 1
#else
        atomic { previous = latchJ; latchJ = SET };
        if
        :: previous == SLEEPY -> token[O] = 1
        :: else -> skip
        fi
#endif
     :: else -> runSimple(job)
     fi
  od
}

/* `install` from outside: inject J, then Latch.waitBlocking. */
proctype Outside() {
  byte s1, s2;
  bool v;
  injJ = 1;
  newWork();
#ifdef OLD
  do
  :: latchJ == SET -> break
  :: else -> atomic { token[O] -> token[O] = 0 }
  od
#else
  atomic { if :: latchJ == UNSET -> latchJ = SLEEPY :: else -> skip fi };
  do
  :: latchJ == SET -> break
  :: else -> atomic { token[O] -> token[O] = 0 }
  od
#endif
}

/* Tasks hopping onto the pool. */
proctype Publisher() {
  byte i = 0, s1, s2;
  bool v;
  do
  :: i < TOTAL_T -> injector++; newWork(); i++
  :: else -> break
  od
}

#ifdef BROADCAST
/* ComputePool.broadcast: one job per worker, in that worker's inbox, then a claim of that worker if it sleeps. */
proctype Broadcaster() {
  byte i = 0;
  do
  :: i < N ->
     inbox[i] = 1;
#ifndef NO_INBOX_WAKE
     if
     :: CLAIM(i)
     :: else -> skip
     fi;
#endif
     i++
  :: else -> break
  od
}
#define BROADCAST_DONE (doneBroadcast == N)
#else
#define BROADCAST_DONE 1
#endif

/* When nothing can move, everything must be done. */
proctype Monitor() {
  timeout -> assert(doneT == TOTAL_T && latchJ == SET && injector == 0 && !injJ && BROADCAST_DONE)
}

init {
  atomic {
    run Worker(0);
    run Worker(1);
#if N > 2
    run Worker(2);
#endif
    run Outside();
    run Publisher();
#ifdef BROADCAST
    run Broadcaster();
#endif
    run Monitor()
  }
}
