/* The clocks CMD reads, answered from the clock page: clock_gettime, gettimeofday, time and
 * timespec_get. Realtime-like clocks give realtime_ns, monotonic-like ones monotonic_ns, plus
 * 1 ns for every read before this one within the message (at most 999 ns): the same reads of the
 * same input give the same times (that is the point), and a time measured within a message is
 * small and positive, never a zero that a program divides by. The cap keeps the monotonic clock
 * below the next message's (the controller spaces them 1 us apart), so it never goes back.
 * CPU-time clocks and unknown ids go to libc.
 *
 * Sleeping stays real: nanosleep, poll and select take relative times and are not touched. The
 * one translation is clock_nanosleep(TIMER_ABSTIME) on a faked clock, whose deadline CMD
 * computed from our clock (Python's time.sleep does): it becomes a relative sleep of
 * deadline - now, so a sleep lasts as long as asked. */
#include "preload/preload.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/time.h>
#include <time.h>

static void* real_clock_gettime;
static void* real_gettimeofday;
static void* real_time;
static void* real_timespec_get;
static void* real_clock_nanosleep;

/* The message the reads are counted for (the page's feed word: feed << 32 | index) and the
 * reads so far. Threads of CMD share them: threads that race for the clock get an order that
 * may differ between runs (stated in the man page). */
static _Atomic uint64_t clock_message = UINT64_MAX;
static _Atomic uint64_t clock_reads;

void sea_clock_init_real(void) {
  SEA_REAL(clock_gettime);
  SEA_REAL(gettimeofday);
  SEA_REAL(time);
  SEA_REAL(timespec_get);
  SEA_REAL(clock_nanosleep);
}

/* The faked value of clock ID in ns, or false for a clock that stays real. */
static bool fake_ns(clockid_t id, int64_t* ns) {
  bool realtime;
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI: /* the controller's time is UTC: TAI's leap-second offset is not modelled */
      realtime = true;
      break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      realtime = false;
      break;
    default: /* CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, clock_getcpuclockid()'s */
      return false;
  }
  struct sea_clock_values v;
  if (!sea_clock_values(&v)) return false;
  if (atomic_load_explicit(&clock_message, memory_order_relaxed) != v.feed) {
    atomic_store_explicit(&clock_reads, 0, memory_order_relaxed);
    atomic_store_explicit(&clock_message, v.feed, memory_order_relaxed);
  }
  uint64_t reads = atomic_fetch_add_explicit(&clock_reads, 1, memory_order_relaxed);
  if (reads > 999) reads = 999;
  *ns = (realtime ? v.realtime_ns : v.monotonic_ns) + (int64_t)reads;
  return true;
}

static struct timespec to_timespec(int64_t ns) {
  /* Floor division: a time before 1970 still has 0 <= tv_nsec < 1e9. */
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    sec -= 1;
  }
  return (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = (long)rem};
}

SEA_EXPORT int clock_gettime(clockid_t id, struct timespec* ts) {
  int64_t ns;
  if (!fake_ns(id, &ns)) return SEA_REAL(clock_gettime)(id, ts);
  *ts = to_timespec(ns);
  return 0;
}

SEA_EXPORT int gettimeofday(struct timeval* restrict tv, void* restrict tz) {
  int64_t ns;
  if (!fake_ns(CLOCK_REALTIME, &ns)) return SEA_REAL(gettimeofday)(tv, tz);
  /* The obsolete timezone argument stays libc's answer (glibc declares tv non-null). */
  if (tz) {
    struct timeval ignored;
    if (SEA_REAL(gettimeofday)(&ignored, tz) != 0) return -1;
  }
  struct timespec ts = to_timespec(ns);
  tv->tv_sec = ts.tv_sec;
  tv->tv_usec = ts.tv_nsec / 1000;
  return 0;
}

SEA_EXPORT time_t time(time_t* out) {
  int64_t ns;
  if (!fake_ns(CLOCK_REALTIME, &ns)) return SEA_REAL(time)(out);
  time_t t = to_timespec(ns).tv_sec;
  if (out) *out = t;
  return t;
}

/* glibc's timespec_get calls its internal clock_gettime, which our definition does not reach. */
SEA_EXPORT int timespec_get(struct timespec* ts, int base) {
  int64_t ns;
  if (base != TIME_UTC || !fake_ns(CLOCK_REALTIME, &ns)) return SEA_REAL(timespec_get)(ts, base);
  *ts = to_timespec(ns);
  return base;
}

SEA_EXPORT int clock_nanosleep(clockid_t id, int flags, const struct timespec* req,
                               struct timespec* rem) {
  int64_t now;
  if (!(flags & TIMER_ABSTIME) || !req || !fake_ns(id, &now))
    return SEA_REAL(clock_nanosleep)(id, flags, req, rem);
  int64_t deadline = (int64_t)req->tv_sec * 1000000000 + req->tv_nsec;
  if (deadline <= now) return 0;
  struct timespec rel = to_timespec(deadline - now);
  /* A signal ends the relative sleep early with EINTR, as it would the absolute one; the caller
   * retries with the same deadline, which then sleeps the whole interval again (our clock
   * moves by nanoseconds at most within a message). */
  return SEA_REAL(clock_nanosleep)(CLOCK_MONOTONIC, 0, &rel, NULL);
}
