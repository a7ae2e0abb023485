/* The controller's side of the clock page, for the preload tests: creates FILE (or updates it)
 * and publishes values the way `sea streamer process --deterministic` will.
 *
 *   clock_set FILE [-r REALTIME_NS] [-m MONOTONIC_NS] [-s SEED] [-f FEED]
 *   clock_set FILE --magic X | --version V | --truncate BYTES   (bad files for the fail-safe)
 *
 * Fields not given keep their value; a new file starts from sea_clock_init(). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preload/sea_preload.h"

static int die(const char* what) {
  perror(what);
  return 1;
}

static int64_t num(const char* s) {
  char* end;
  int64_t v = (int64_t)strtoull(s, &end, 0);
  if (*s == '\0' || *end != '\0') {
    fprintf(stderr, "clock_set: not a number: %s\n", s);
    exit(2);
  }
  return v;
}

int main(int argc, char** argv) {
  static const struct option longs[] = {{"magic", required_argument, 0, 'M'},
                                        {"version", required_argument, 0, 'V'},
                                        {"truncate", required_argument, 0, 'T'},
                                        {0, 0, 0, 0}};
  if (argc < 2) {
    fprintf(stderr, "usage: clock_set FILE [-r NS] [-m NS] [-s SEED] [-f FEED]\n");
    return 2;
  }
  const char* path = argv[1];
  optind = 2;
  int fd = open(path, O_RDWR | O_CREAT, 0600);
  if (fd < 0) return die(path);
  struct stat st;
  if (fstat(fd, &st) != 0) return die("fstat");
  bool fresh = st.st_size < (off_t)sizeof(struct sea_clock);
  if (fresh && ftruncate(fd, sizeof(struct sea_clock)) != 0) return die("ftruncate");
  struct sea_clock* c = mmap(NULL, sizeof *c, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (c == MAP_FAILED) return die("mmap");
  if (fresh) sea_clock_init(c);
  struct sea_clock_values v = {.realtime_ns = c->realtime_ns, .monotonic_ns = c->monotonic_ns,
                               .seed = c->seed, .feed = c->feed};
  off_t truncate_to = -1;
  int opt;
  while ((opt = getopt_long(argc, argv, "r:m:s:f:", longs, NULL)) != -1) {
    switch (opt) {
      case 'r': v.realtime_ns = num(optarg); break;
      case 'm': v.monotonic_ns = num(optarg); break;
      case 's': v.seed = (uint64_t)num(optarg); break;
      case 'f': v.feed = (uint64_t)num(optarg); break;
      case 'M': c->magic = (uint32_t)num(optarg); break;
      case 'V': c->version = (uint32_t)num(optarg); break;
      case 'T': truncate_to = (off_t)num(optarg); break;
      default: return 2;
    }
  }
  sea_clock_publish(c, &v);
  munmap(c, sizeof *c);
  if (truncate_to >= 0 && ftruncate(fd, truncate_to) != 0) return die("ftruncate");
  close(fd);
  return 0;
}
