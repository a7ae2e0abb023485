/* ns per clock_gettime(CLOCK_REALTIME) call over N calls (default 10,000,000): run it plain,
 * under libsea_preload.so and under libfaketime to compare (scripts/bench preload). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 10000000;
  /* The stopwatch is libc's own clock_gettime, looked up in libc's scope: a preload interposing
   * clock_gettime (and faking the monotonic clock) cannot change it. */
  void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  int (*watch)(clockid_t, struct timespec*) = libc ? (int (*)(clockid_t, struct timespec*))dlsym(libc, "clock_gettime") : NULL;
  if (!watch) {
    fprintf(stderr, "bench_clock: libc's clock_gettime not found\n");
    return 1;
  }
  struct timespec start, end, ts;
  long long sum = 0;
  watch(CLOCK_MONOTONIC, &start);
  for (long i = 0; i < n; i++) {
    clock_gettime(CLOCK_REALTIME, &ts);
    sum += ts.tv_nsec;
  }
  watch(CLOCK_MONOTONIC, &end);
  double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
  printf("%.1f ns/call (%ld calls, checksum %lld)\n", ns / (double)n, n, sum & 0xff);
  return 0;
}
