// The controller's language: creates a clock page through the C++ half of sea_preload.h
// (std::atomic seqlock, std::atomic_ref stores) so the tests check that the C preload reads
// what C++ writes. publish_cxx FILE REALTIME_NS MONOTONIC_NS SEED FEED
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstddef>

#include "preload/sea_preload.h"

static_assert(offsetof(sea_clock, seqlock) == 8 && offsetof(sea_clock, realtime_ns) == 16 &&
                  offsetof(sea_clock, feed) == 40,
              "the C++ layout of struct sea_clock is the C one");

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: publish_cxx FILE REALTIME_NS MONOTONIC_NS SEED FEED\n");
    return 2;
  }
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, sizeof(sea_clock)) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  void* p = mmap(nullptr, sizeof(sea_clock), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  auto* c = static_cast<sea_clock*>(p);
  sea_clock_init(c);
  sea_clock_publish(c, sea_clock_values{std::strtoll(argv[2], nullptr, 10), std::strtoll(argv[3], nullptr, 10),
                                        std::strtoull(argv[4], nullptr, 10), std::strtoull(argv[5], nullptr, 10)});
  munmap(p, sizeof(sea_clock));
  close(fd);
  return 0;
}
