/* The clock page shared by `sea streamer process --deterministic` (the controller, C++) and
 * libsea_preload.so (C, injected into CMD with LD_PRELOAD).
 *
 * The controller creates a file of sizeof(struct sea_clock) bytes (in /dev/shm or $TMPDIR), maps
 * it shared, fills it with sea_clock_init() and names it in SEA_PRELOAD_CLOCK. Before it writes
 * message k to CMD's stdin, while CMD is blocked reading, it calls sea_clock_publish() with
 * message k's time, the run's seed and k's feed number; every clock or randomness call CMD makes
 * while it processes message k then sees those values. The preload maps the file read-only in
 * its constructor and reads it with sea_clock_read().
 *
 * Publishing is a seqlock: `seqlock` is odd while the controller writes, and a reader retries
 * until it saw the same even value before and after copying the fields. One writer only.
 *
 * monotonic_ns should be small and run-relative (e.g. ns since the first message of the run,
 * taken from the messages' timestamps, so a replay gives the same values): the kernel compares
 * absolute deadlines that CMD computes from it (sem_clockwait, pthread_cond_timedwait) with the
 * real monotonic clock, and a value in the real clock's past makes such timeouts end early
 * instead of hanging. See src/preload/README.md for the whole contract.
 *
 * This header is C11 and C++20: the C++ side gets std::atomic / std::atomic_ref, the C side
 * <stdatomic.h> and the __atomic builtins (GCC, Clang). Same layout in both (checked below). */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
#include <atomic>
#define SEA_CLOCK_ATOMIC_U32 std::atomic<uint32_t>
#else
#include <stdatomic.h>
#include <stdbool.h>
#define SEA_CLOCK_ATOMIC_U32 _Atomic uint32_t
#endif

#define SEA_CLOCK_MAGIC 0x4B4C4353u /* "SCLK" in little-endian bytes */
#define SEA_CLOCK_VERSION 1u
/* The environment variables the preload reads in its constructor. */
#define SEA_PRELOAD_ENV_CLOCK "SEA_PRELOAD_CLOCK"     /* path of the clock file */
#define SEA_PRELOAD_ENV_LINEBUF "SEA_PRELOAD_LINEBUF" /* "1": stdout line-buffered */

struct sea_clock {
  uint32_t magic;                /* SEA_CLOCK_MAGIC */
  uint32_t version;              /* SEA_CLOCK_VERSION */
  SEA_CLOCK_ATOMIC_U32 seqlock;  /* odd while the controller writes */
  uint32_t pad;
  int64_t realtime_ns;  /* CLOCK_REALTIME & co, gettimeofday, time: ns since the Unix epoch */
  int64_t monotonic_ns; /* CLOCK_MONOTONIC & co, CLOCK_BOOTTIME */
  uint64_t seed;        /* the run's seed, logged by the controller */
  uint64_t feed;        /* the feed number: the PRNG restarts from (seed, feed) when it changes */
};

/* A consistent copy of the values of one publication. */
struct sea_clock_values {
  int64_t realtime_ns;
  int64_t monotonic_ns;
  uint64_t seed;
  uint64_t feed;
};

#ifdef __cplusplus
static_assert(sizeof(std::atomic<uint32_t>) == 4 && std::atomic<uint32_t>::is_always_lock_free,
              "struct sea_clock needs a plain lock-free 32-bit seqlock");
static_assert(sizeof(sea_clock) == 48, "struct sea_clock is 48 bytes in C and C++");

inline void sea_clock_init(sea_clock* c) {
  c->magic = SEA_CLOCK_MAGIC;
  c->version = SEA_CLOCK_VERSION;
  c->seqlock.store(0, std::memory_order_relaxed);
  c->pad = 0;
  c->realtime_ns = c->monotonic_ns = 0;
  c->seed = c->feed = 0;
  std::atomic_thread_fence(std::memory_order_release);
}

inline void sea_clock_publish(sea_clock* c, const sea_clock_values& v) {
  uint32_t s = c->seqlock.load(std::memory_order_relaxed);
  c->seqlock.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  std::atomic_ref<int64_t>(c->realtime_ns).store(v.realtime_ns, std::memory_order_relaxed);
  std::atomic_ref<int64_t>(c->monotonic_ns).store(v.monotonic_ns, std::memory_order_relaxed);
  std::atomic_ref<uint64_t>(c->seed).store(v.seed, std::memory_order_relaxed);
  std::atomic_ref<uint64_t>(c->feed).store(v.feed, std::memory_order_relaxed);
  c->seqlock.store(s + 2, std::memory_order_release);
}
#else
_Static_assert(sizeof(struct sea_clock) == 48, "struct sea_clock is 48 bytes in C and C++");

static inline void sea_clock_init(struct sea_clock* c) {
  c->magic = SEA_CLOCK_MAGIC;
  c->version = SEA_CLOCK_VERSION;
  atomic_store_explicit(&c->seqlock, 0, memory_order_relaxed);
  c->pad = 0;
  c->realtime_ns = c->monotonic_ns = 0;
  c->seed = c->feed = 0;
  atomic_thread_fence(memory_order_release);
}

static inline void sea_clock_publish(struct sea_clock* c, const struct sea_clock_values* v) {
  uint32_t s = atomic_load_explicit(&c->seqlock, memory_order_relaxed);
  atomic_store_explicit(&c->seqlock, s + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  __atomic_store_n(&c->realtime_ns, v->realtime_ns, __ATOMIC_RELAXED);
  __atomic_store_n(&c->monotonic_ns, v->monotonic_ns, __ATOMIC_RELAXED);
  __atomic_store_n(&c->seed, v->seed, __ATOMIC_RELAXED);
  __atomic_store_n(&c->feed, v->feed, __ATOMIC_RELAXED);
  atomic_store_explicit(&c->seqlock, s + 2, memory_order_release);
}

/* One attempt to copy a publication: false while the controller is writing or if it wrote
 * during the copy (the caller retries). The page may be mapped read-only. */
static inline bool sea_clock_try_read(const struct sea_clock* c, struct sea_clock_values* out) {
  /* C11 atomic_load takes a pointer to non-const before C17's DR 459: read through a cast. */
  _Atomic uint32_t* seq = (_Atomic uint32_t*)&c->seqlock;
  uint32_t s1 = atomic_load_explicit(seq, memory_order_acquire);
  if (s1 & 1u) return false;
  out->realtime_ns = __atomic_load_n(&c->realtime_ns, __ATOMIC_RELAXED);
  out->monotonic_ns = __atomic_load_n(&c->monotonic_ns, __ATOMIC_RELAXED);
  out->seed = __atomic_load_n(&c->seed, __ATOMIC_RELAXED);
  out->feed = __atomic_load_n(&c->feed, __ATOMIC_RELAXED);
  atomic_thread_fence(memory_order_acquire);
  return atomic_load_explicit(seq, memory_order_relaxed) == s1;
}
#endif
