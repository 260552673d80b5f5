/*
 * The parker (Sources/Loom/Internal/Parker.swift) and the waits built on it: a thread outside every pool waiting on a
 * latch (Latch.waitBlocking: install from outside) and on a done flag (BlockingWait: blockOn, blockUntilIdle).
 *
 * The parker word is EMPTY, PARKED or NOTIFIED. unpark: swap in NOTIFIED; if it was PARKED, futex_wake one waiter.
 * park: NOTIFIED -> EMPTY and return (a token was there); else EMPTY -> PARKED, or, if a token arrived in between,
 * take it and return; then futex_wait while PARKED until NOTIFIED -> EMPTY succeeds. The futex is modelled exactly:
 * futex_wait blocks only if the word still holds the expected value when it is called, and futex_wake(1) wakes one
 * blocked waiter of that word.
 *
 * Threads: waiter W1 waits for a flag F1 (park until set), then for latch L1 (spin, mark sleepy, park until set);
 * setter S1 sets F1 (store; unpark W1 always), then L1 (swap; unpark W1 only if it found `sleepy`).
 *
 * Checked: no lost wake-up (when everything is blocked, both waits are over), and the parker's claim that a word it
 * finds not EMPTY between its two steps holds a token (the precondition in park()).
 *
 * Variants (spin -D...):
 *   SHARED_WORD  a second waiter W2 (with setter S2) parks on W1's word, as two threads handed one recycled word
 *                would: fails, with one token for two threads (a wake-up is lost) or with park's precondition. Why
 *                the word pool traps on a word handed out or recycled twice.
 *   NO_SLEEPY    the latch setter never unparks: fails.
 * Run: spin -a [-D...] blocking-wait.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -E
 */
#define EMPTY 0
#define PARKED 1
#define NOTIFIED 2
#define UNSET 0
#define SLEEPY 1
#define SET 2

byte word = EMPTY;            /* the parker word W1 owns (and W2 shares, with SHARED_WORD) */
bool blocked[2];              /* blocked in futex_wait on the word */
byte latch[2];
bool flag[2];
byte finished = 0;

inline futexWake() {
  if
  :: atomic { blocked[0] -> blocked[0] = 0 }
  :: atomic { blocked[1] -> blocked[1] = 0 }
  :: atomic { !blocked[0] && !blocked[1] } -> skip
  fi
}

inline unpark() {
  atomic { old = word; word = NOTIFIED };
  if
  :: old == PARKED -> futexWake()
  :: else -> skip
  fi;
  old = 0
}

inline park(me) {
  atomic {
    if
    :: word == NOTIFIED -> word = EMPTY; taken = 1
    :: else -> taken = 0
    fi
  };
  if
  :: !taken ->
     atomic {
       if
       :: word == EMPTY -> word = PARKED
       :: else ->
          assert(word == NOTIFIED);
          word = EMPTY; taken = 1
       fi
     };
     do
     :: taken -> break
     :: else ->
        /* futex_wait(word, PARKED): blocks only if the word is still PARKED */
        atomic { if :: word == PARKED -> blocked[me] = 1 :: else -> skip fi };
        !blocked[me];
        atomic { if :: word == NOTIFIED -> word = EMPTY; taken = 1 :: else -> skip fi }
     od
  :: else -> skip
  fi;
  taken = 0
}

proctype Waiter(byte me) {
  bool taken;
  /* BlockingWait.wait: park until the flag is set */
  do
  :: flag[me] -> break
  :: else -> park(me)
  od;
  /* Latch.waitBlocking: spin once, mark sleepy, park until set */
  if
  :: latch[me] == SET -> goto done
  :: else -> skip
  fi;
  atomic { if :: latch[me] == UNSET -> latch[me] = SLEEPY :: else -> skip fi };
  do
  :: latch[me] == SET -> break
  :: else -> park(me)
  od;
done:
  finished++
}

proctype Setter(byte me) {
  byte previous, old;
  flag[me] = 1;
  unpark();
  atomic { previous = latch[me]; latch[me] = SET };
#ifndef NO_SLEEPY
  if
  :: previous == SLEEPY -> unpark()
  :: else -> skip
  fi
#else
  skip
#endif
}

proctype Monitor() {
#ifdef SHARED_WORD
  timeout -> assert(finished == 2)
#else
  timeout -> assert(finished == 1)
#endif
}

init {
  atomic {
    run Waiter(0);
    run Setter(0);
#ifdef SHARED_WORD
    run Waiter(1);
    run Setter(1);
#endif
    run Monitor()
  }
}
