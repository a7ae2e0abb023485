/* The constructor of libsea_preload.so: it reads the environment the controller set for CMD,
 * makes stdout line-buffered (SEA_PRELOAD_LINEBUF=1, as coreutils' libstdbuf does for
 * `stdbuf -oL`) and maps the clock page (SEA_PRELOAD_CLOCK=FILE) read-only.
 *
 * Fail-safe: a clock file that is missing, short, or of another magic or version gets one
 * "sea-preload: ..." line on stderr and leaves sea_clock_page NULL, so every interposed function
 * passes through to libc and CMD runs, only not deterministically. */
#include "preload/preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const struct sea_clock* sea_clock_page;

void* sea_next(void** slot, const char* name) {
  void* f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (f) return f;
  f = dlsym(RTLD_NEXT, name);
  if (!f) {
    sea_warn("libc has no %s, which this library interposes", name);
    abort();
  }
  __atomic_store_n(slot, f, __ATOMIC_RELEASE);
  return f;
}

void sea_warn(const char* fmt, ...) {
  char line[512];
  int saved = errno;
  int n = snprintf(line, sizeof line, "sea-preload: ");
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
  if (len > sizeof line - 2) len = sizeof line - 2;
  line[len++] = '\n';
  ssize_t w = write(STDERR_FILENO, line, len);
  (void)w; /* nowhere to report a failed diagnostic */
  errno = saved;
}

bool sea_clock_values(struct sea_clock_values* out) {
  const struct sea_clock* c = __atomic_load_n(&sea_clock_page, __ATOMIC_ACQUIRE);
  if (!c) return false;
  /* The controller writes only between two messages while CMD waits for input, so a retry is
   * rare; an odd seqlock that never clears means it died mid-write. */
  for (unsigned i = 0; i < (1u << 20); i++) {
    if (sea_clock_try_read(c, out)) return true;
    if (i >= 64) sched_yield();
  }
  if (__atomic_exchange_n(&sea_clock_page, NULL, __ATOMIC_ACQ_REL))
    sea_warn("the clock page stayed locked (did the controller die while writing it?): real time "
             "and randomness from now on");
  return false;
}

/* Returns the mapped page, or NULL after one warning naming PATH and the reason. */
static const struct sea_clock* map_clock(const char* path) {
  static void* real_open;
  int fd = SEA_REAL(open)(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    sea_warn("cannot open the clock file %s: %s; running on the real clock and randomness", path,
             strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(struct sea_clock)) {
    sea_warn("the clock file %s is %lld bytes, shorter than the %zu of struct sea_clock; running "
             "on the real clock and randomness",
             path, (long long)st.st_size, sizeof(struct sea_clock));
    close(fd);
    return NULL;
  }
  void* p = mmap(NULL, sizeof(struct sea_clock), PROT_READ, MAP_SHARED, fd, 0);
  int mmap_errno = errno;
  close(fd);
  if (p == MAP_FAILED) {
    sea_warn("cannot map the clock file %s: %s; running on the real clock and randomness", path,
             strerror(mmap_errno));
    return NULL;
  }
  const struct sea_clock* c = p;
  if (c->magic != SEA_CLOCK_MAGIC) {
    sea_warn("the clock file %s has magic 0x%08x at byte 0, expected 0x%08x; running on the real "
             "clock and randomness",
             path, c->magic, SEA_CLOCK_MAGIC);
  } else if (c->version != SEA_CLOCK_VERSION) {
    sea_warn("the clock file %s has version %u at byte 4, this library reads version %u; running "
             "on the real clock and randomness",
             path, c->version, SEA_CLOCK_VERSION);
  } else {
    return c;
  }
  munmap(p, sizeof(struct sea_clock));
  return NULL;
}

/* What coreutils' libstdbuf does for _STDBUF_O=L: setvbuf before main, buffer left to libc. */
static void line_buffer_stdout(void) {
  if (setvbuf(stdout, NULL, _IOLBF, 0) != 0) sea_warn("could not set buffering of stdout to mode L");
}

__attribute__((constructor)) static void sea_preload_init(void) {
  sea_clock_init_real();
  sea_random_init();
  sea_urandom_init();
  const char* linebuf = getenv(SEA_PRELOAD_ENV_LINEBUF);
  if (linebuf && strcmp(linebuf, "1") == 0) {
    line_buffer_stdout();
  } else if (linebuf && *linebuf && strcmp(linebuf, "0") != 0) {
    sea_warn("%s=%s: expected 1 (line-buffer stdout) or 0; stdout left as it is",
             SEA_PRELOAD_ENV_LINEBUF, linebuf);
  }
  const char* path = getenv(SEA_PRELOAD_ENV_CLOCK);
  if (path && *path) __atomic_store_n(&sea_clock_page, map_clock(path), __ATOMIC_RELEASE);
}
