/* The randomness CMD draws, answered from a PRNG restarted from (seed, feed) whenever the
 * controller publishes a new feed: getrandom, getentropy, arc4random*, syscall(SYS_getrandom),
 * so message k's random bytes depend on (seed, k) only, not on what message k-1 drew.
 *
 * The PRNG is xoshiro256** (Blackman & Vigna), its four words taken from splitmix64 started at
 * seed ^ mix(feed + golden ratio). A mutex keeps its state whole; threads that draw in a racy
 * order get the same bytes in another order, which is not deterministic (documented). fork()
 * copies the state: a child and its parent then draw the same bytes within one feed.
 *
 * /dev/urandom and /dev/random are in urandom_fd.c. */
#include "preload/preload.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void* real_syscall;

static pthread_mutex_t prng_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  bool seeded;
  uint64_t seed, feed;
  uint64_t s[4];
} prng;

static uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro256ss(uint64_t s[4]) {
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static void reseed(uint64_t seed, uint64_t feed) {
  uint64_t f = feed;
  uint64_t x = seed ^ splitmix64(&f);
  for (int i = 0; i < 4; i++) prng.s[i] = splitmix64(&x);
  prng.seed = seed;
  prng.feed = feed;
  prng.seeded = true;
}

/* A fork while another thread holds the lock would leave the child's copy locked for good. */
static void lock_prng(void) { pthread_mutex_lock(&prng_lock); }
static void unlock_prng(void) { pthread_mutex_unlock(&prng_lock); }

void sea_random_init(void) {
  SEA_REAL(syscall);
  pthread_atfork(lock_prng, unlock_prng, unlock_prng);
}

bool sea_random_fill(void* buf, size_t len) {
  struct sea_clock_values v;
  if (!sea_clock_values(&v)) return false;
  unsigned char* out = buf;
  lock_prng();
  if (!prng.seeded || prng.seed != v.seed || prng.feed != v.feed) reseed(v.seed, v.feed);
  while (len > 0) {
    uint64_t w = xoshiro256ss(prng.s);
    size_t n = len < sizeof w ? len : sizeof w; /* a partial word's other bytes are dropped */
    memcpy(out, &w, n);
    out += n;
    len -= n;
  }
  unlock_prng();
  return true;
}

SEA_EXPORT ssize_t getrandom(void* buf, size_t len, unsigned int flags) {
  static void* real_getrandom;
  /* Every flag (GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE) succeeds: the PRNG never blocks. */
  if (!sea_random_fill(buf, len)) return SEA_REAL(getrandom)(buf, len, flags);
  return (ssize_t)len;
}

SEA_EXPORT int getentropy(void* buf, size_t len) {
  static void* real_getentropy;
  if (len > 256) { /* getentropy's documented limit, kept so CMD sees the same errors */
    errno = EIO;
    return -1;
  }
  if (!sea_random_fill(buf, len)) return SEA_REAL(getentropy)(buf, len);
  return 0;
}

SEA_EXPORT uint32_t arc4random(void) {
  static void* real_arc4random;
  uint32_t r;
  if (!sea_random_fill(&r, sizeof r)) return SEA_REAL(arc4random)();
  return r;
}

SEA_EXPORT void arc4random_buf(void* buf, size_t len) {
  static void* real_arc4random_buf;
  if (!sea_random_fill(buf, len)) SEA_REAL(arc4random_buf)(buf, len);
}

SEA_EXPORT uint32_t arc4random_uniform(uint32_t upper) {
  static void* real_arc4random_uniform;
  uint32_t r;
  if (!sea_random_fill(&r, sizeof r)) return SEA_REAL(arc4random_uniform)(upper);
  if (upper < 2) return 0;
  /* Rejection sampling without modulo bias: values below 2^32 mod upper are redrawn. */
  uint32_t min = (uint32_t)(-upper) % upper;
  while (r < min) sea_random_fill(&r, sizeof r);
  return r % upper;
}

/* syscall(2) is variadic; every Linux syscall takes at most six word-sized arguments, so the
 * others are passed on as six longs (what libfaketime and glibc's own syscall() do). */
SEA_EXPORT long syscall(long number, ...) {
  va_list ap;
  va_start(ap, number);
  long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (number == SYS_getrandom && sea_random_fill((void*)a[0], (size_t)a[1])) return a[1];
  if (number == SYS_clock_gettime && sea_clock_page)
    return clock_gettime((clockid_t)a[0], (struct timespec*)a[1]);
  return SEA_REAL(syscall)(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
