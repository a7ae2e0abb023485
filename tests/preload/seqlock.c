/* The clock page's seqlock never hands out a torn copy: one thread publishes (k, k, k, k) as
 * fast as it can (the controller's sea_clock_publish), three read with sea_clock_try_read (the
 * preload's) and check that every copy they accept has four equal fields, and that they saw
 * many publications. Exit 0 on success, 1 with the first torn copy. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "preload/sea_preload.h"

enum { PUBLICATIONS = 50000, READERS = 3 };
static struct sea_clock page;
static atomic_bool done;
static atomic_llong seen; /* the newest publication a reader accepted */

static void* publisher(void* arg) {
  (void)arg;
  for (int64_t k = 1; k <= PUBLICATIONS; k++) {
    struct sea_clock_values v = {.realtime_ns = k, .monotonic_ns = k, .seed = (uint64_t)k,
                                 .feed = (uint64_t)k};
    sea_clock_publish(&page, &v);
    /* A pause between two publications, as between two messages, until a reader has a copy of
     * this one (bounded), so readers get copies of many of them however the two cores are
     * shared out (a spin alone let the publisher finish while the readers waited for a core),
     * and race with the next write. */
    for (long spin = 0; atomic_load(&seen) < k && spin < 20000; spin++)
      if (spin % 256 == 255) sched_yield();
  }
  atomic_store(&done, true);
  return NULL;
}

struct reader_result {
  long accepted, distinct;
  int torn;
};

static void* reader(void* arg) {
  struct reader_result* r = arg;
  int64_t last = -1;
  for (unsigned long tries = 1; !atomic_load(&done); tries++) {
    if (tries % 4096 == 0) sched_yield(); /* the publisher gets a core */
    struct sea_clock_values v;
    if (!sea_clock_try_read(&page, &v)) continue;
    r->accepted++;
    if (v.monotonic_ns != v.realtime_ns || (int64_t)v.seed != v.realtime_ns ||
        (int64_t)v.feed != v.realtime_ns) {
      fprintf(stderr, "torn copy: realtime %lld monotonic %lld seed %llu feed %llu\n",
              (long long)v.realtime_ns, (long long)v.monotonic_ns, (unsigned long long)v.seed,
              (unsigned long long)v.feed);
      r->torn = 1;
      return NULL;
    }
    if (v.realtime_ns != last) r->distinct++;
    if (v.realtime_ns > atomic_load(&seen)) atomic_store(&seen, v.realtime_ns);
    last = v.realtime_ns;
  }
  return NULL;
}

int main(void) {
  sea_clock_init(&page);
  pthread_t w, rd[READERS];
  struct reader_result res[READERS] = {{0, 0, 0}};
  for (int i = 0; i < READERS; i++) pthread_create(&rd[i], NULL, reader, &res[i]);
  pthread_create(&w, NULL, publisher, NULL);
  pthread_join(w, NULL);
  int failed = 0;
  long distinct = 0;
  for (int i = 0; i < READERS; i++) {
    pthread_join(rd[i], NULL);
    printf("reader %d: %ld copies accepted, %ld distinct publications\n", i, res[i].accepted,
           res[i].distinct);
    failed |= res[i].torn || res[i].distinct < 2;
    distinct += res[i].distinct;
  }
  /* The race was really run: readers copied while publications went on. */
  return failed || distinct < 100;
}
