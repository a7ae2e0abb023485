/* Calls every function libsea_preload.so interposes and prints one line per call, so the
 * tests can compare runs: `probe` prints the clocks, then the randomness of each entry point;
 * `probe feeds` reads a byte count per stdin line and prints that many getrandom() bytes and
 * the realtime clock (at most 8 bytes shown), for tests that publish a new feed between two lines. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

ssize_t __read_chk(int fd, void* buf, size_t len, size_t buflen);

static void hex(const char* label, const unsigned char* b, size_t n) {
  printf("%s ", label);
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
  printf("\n");
}

static void clock_line(const char* label, clockid_t id) {
  struct timespec ts;
  if (clock_gettime(id, &ts) != 0) {
    printf("%s error\n", label);
    return;
  }
  printf("%s %lld.%09ld\n", label, (long long)ts.tv_sec, ts.tv_nsec);
}

static void read_fd(const char* label, int fd) {
  unsigned char b[16] = {0};
  if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b) printf("%s error\n", label);
  else hex(label, b, sizeof b);
}

static void read_stream(const char* label, FILE* f) {
  unsigned char b[16] = {0};
  if (!f || fread(b, 1, sizeof b, f) != sizeof b) printf("%s error\n", label);
  else hex(label, b, sizeof b);
  if (f) fclose(f);
}

static void clocks(void) {
  clock_line("clock_gettime.REALTIME", CLOCK_REALTIME);
  clock_line("clock_gettime.REALTIME_COARSE", CLOCK_REALTIME_COARSE);
  clock_line("clock_gettime.TAI", CLOCK_TAI);
  clock_line("clock_gettime.MONOTONIC", CLOCK_MONOTONIC);
  clock_line("clock_gettime.MONOTONIC_RAW", CLOCK_MONOTONIC_RAW);
  clock_line("clock_gettime.MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE);
  clock_line("clock_gettime.BOOTTIME", CLOCK_BOOTTIME);
  struct timeval tv;
  gettimeofday(&tv, NULL);
  printf("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
  time_t t0;
  time_t t1 = time(&t0);
  printf("time %lld %lld\n", (long long)t1, (long long)t0);
  struct timespec ts;
  timespec_get(&ts, TIME_UTC);
  printf("timespec_get %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
  printf("syscall.clock_gettime %lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
}

static void randomness(void) {
  unsigned char b[16];
  getrandom(b, sizeof b, 0);
  hex("getrandom", b, sizeof b);
  getentropy(b, sizeof b);
  hex("getentropy", b, sizeof b);
  unsigned char big[257];
  printf("getentropy.257 %d\n", getentropy(big, sizeof big)); /* -1: the limit is kept */
  printf("arc4random %08x\n", arc4random());
  arc4random_buf(b, sizeof b);
  hex("arc4random_buf", b, sizeof b);
  printf("arc4random_uniform %u\n", arc4random_uniform(1000000));
  long n = syscall(SYS_getrandom, b, sizeof b, 0);
  if (n == (long)sizeof b) hex("syscall.getrandom", b, sizeof b);
  int fd = open("/dev/urandom", O_RDONLY);
  read_fd("open.urandom", fd);
  int copy = dup(fd);
  read_fd("dup.urandom", copy);
  close(copy);
  unsigned char c[16];
  if (__read_chk(fd, c, sizeof c, sizeof c) == (ssize_t)sizeof c) hex("read_chk.urandom", c, sizeof c);
  close(fd);
  read_fd("openat.random", openat(AT_FDCWD, "/dev/./random", O_RDONLY | O_CLOEXEC));
  read_stream("fopen.urandom", fopen("/dev/urandom", "re"));
  read_stream("fdopen.urandom", fdopen(open("/dev/urandom", O_RDONLY), "r"));
  /* close_range() bypasses our close(), so the number keeps its mark; a device opened on it
   * afterwards must still read its own bytes (read() checks a marked fd with fstat). */
  fd = open("/dev/urandom", O_RDONLY);
  close_range((unsigned)fd, (unsigned)fd, 0);
  int z = open("/dev/zero", O_RDONLY);
  unsigned char zero[4] = {1, 1, 1, 1};
  bool zeros = read(z, zero, 4) == 4 && !memcmp(zero, "\0\0\0\0", 4);
  printf("reused_fd.zero %s %s\n", z == fd ? "same-number" : "other-number", zeros ? "zeros" : "NOT-ZEROS");
  close(z);
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "feeds") == 0) {
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
      size_t n = (size_t)strtoul(line, NULL, 10);
      unsigned char* b = malloc(n ? n : 1);
      getrandom(b, n, 0);
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      printf("%lld.%09ld ", (long long)ts.tv_sec, ts.tv_nsec);
      hex("getrandom", b, n > 8 ? 8 : n);
      fflush(stdout);
      free(b);
    }
    return 0;
  }
  clocks();
  randomness();
  return 0;
}
