/* Reads of /dev/urandom and /dev/random, answered from the (seed, feed) PRNG of random.c.
 *
 * open() and its variants open the real device, so fstat, poll and ioctl still see a character
 * device; the fd is then marked in a bitmap of the first 4096 fds (512 bytes), and read() of a
 * marked fd fills the buffer from the PRNG. A device is recognised by its number (1:8, 1:9),
 * not its path, so "/dev/./urandom", symlinks and openat() are caught. close() clears the mark,
 * dup/dup2/dup3 copy it, and read() checks a marked fd with fstat before answering, so a mark
 * left behind (close_range, an fd closed inside libc) never turns a file's bytes into noise.
 *
 * stdio reads a FILE through libc's internal read, which no interposer reaches: fopen() and
 * fdopen() of the devices therefore return a fopencookie() stream whose reads come from the
 * PRNG (its fileno() is -1). Not covered: readv/pread, fcntl(F_DUPFD), fds past 4096, an fd
 * inherited across exec (all read real randomness: nondeterministic, never broken). */
#include "preload/preload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* glibc's fortify entry points; <fcntl.h> declares them only under _FORTIFY_SOURCE. */
int __open_2(const char* path, int flags);
int __open64_2(const char* path, int flags);
int __openat_2(int dirfd, const char* path, int flags);
int __openat64_2(int dirfd, const char* path, int flags);
ssize_t __read_chk(int fd, void* buf, size_t len, size_t buflen);

static void* real_open;
static void* real_openat;
static void* real_read;
static void* real___read_chk;
static void* real_close;
static void* real_dup;
static void* real_dup2;
static void* real_dup3;
static void* real_fopen;
static void* real_fdopen;
static void* real_fclose;

#define TRACKED_FDS 4096
static uint64_t random_fds[TRACKED_FDS / 64];

static bool is_random_device(int fd) {
  struct stat st;
  int saved = errno;
  bool yes = fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
             (minor(st.st_rdev) == 8 || minor(st.st_rdev) == 9);
  errno = saved;
  return yes;
}

static bool marked(int fd) {
  if (fd < 0 || fd >= TRACKED_FDS) return false;
  return __atomic_load_n(&random_fds[fd / 64], __ATOMIC_RELAXED) & (1ull << (fd % 64));
}

static void set_mark(int fd, bool on) {
  if (fd < 0 || fd >= TRACKED_FDS) return;
  uint64_t bit = 1ull << (fd % 64);
  if (on)
    __atomic_fetch_or(&random_fds[fd / 64], bit, __ATOMIC_RELAXED);
  else
    __atomic_fetch_and(&random_fds[fd / 64], ~bit, __ATOMIC_RELAXED);
}

/* Marks FD (the result of an open with FLAGS) when it reads a random device. */
static int after_open(int fd, int flags) {
  if (fd >= 0 && sea_clock_page && (flags & O_ACCMODE) != O_WRONLY) {
    bool random = is_random_device(fd);
    if (random && fd >= TRACKED_FDS)
      sea_warn("fd %d reads a random device past the %d tracked fds: its bytes are real", fd,
               TRACKED_FDS);
    set_mark(fd, random);
  }
  return fd;
}

/* The mode argument exists only with O_CREAT or O_TMPFILE (whose bits include O_DIRECTORY's,
 * hence the == test, as in glibc's __OPEN_NEEDS_MODE). */
#define OPEN_MODE(flags, last)                                                  \
  mode_t mode = 0;                                                              \
  if (((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE) {              \
    va_list ap;                                                                 \
    va_start(ap, last);                                                         \
    mode = (mode_t)va_arg(ap, int);                                             \
    va_end(ap);                                                                 \
  }

SEA_EXPORT int open(const char* path, int flags, ...) {
  OPEN_MODE(flags, flags);
  return after_open(SEA_REAL(open)(path, flags, mode), flags);
}
SEA_EXPORT int open64(const char* path, int flags, ...) {
  OPEN_MODE(flags, flags);
  return after_open(SEA_REAL(open)(path, flags, mode), flags);
}
SEA_EXPORT int openat(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, flags);
  return after_open(SEA_REAL(openat)(dirfd, path, flags, mode), flags);
}
SEA_EXPORT int openat64(int dirfd, const char* path, int flags, ...) {
  OPEN_MODE(flags, flags);
  return after_open(SEA_REAL(openat)(dirfd, path, flags, mode), flags);
}
/* Fortified builds call these when the flags are not a constant; without O_CREAT there is no
 * mode to check, so the plain open does the same. */
SEA_EXPORT int __open_2(const char* path, int flags) { return open(path, flags); }
SEA_EXPORT int __open64_2(const char* path, int flags) { return open(path, flags); }
SEA_EXPORT int __openat_2(int dirfd, const char* path, int flags) { return openat(dirfd, path, flags); }
SEA_EXPORT int __openat64_2(int dirfd, const char* path, int flags) {
  return openat(dirfd, path, flags);
}

/* True when FD is still a random device; clears a stale mark otherwise. */
static bool reads_prng(int fd) {
  if (!marked(fd)) return false;
  if (is_random_device(fd)) return true;
  set_mark(fd, false);
  return false;
}

SEA_EXPORT ssize_t read(int fd, void* buf, size_t len) {
  if (reads_prng(fd) && sea_random_fill(buf, len)) return (ssize_t)len;
  return SEA_REAL(read)(fd, buf, len);
}

SEA_EXPORT ssize_t __read_chk(int fd, void* buf, size_t len, size_t buflen) {
  /* An overflowing read goes to libc, which reports it and aborts as it would without us. */
  if (len <= buflen && reads_prng(fd) && sea_random_fill(buf, len)) return (ssize_t)len;
  return SEA_REAL(__read_chk)(fd, buf, len, buflen);
}

SEA_EXPORT int close(int fd) {
  /* Cleared first: until the real close the number cannot be handed to another open. */
  set_mark(fd, false);
  return SEA_REAL(close)(fd);
}

SEA_EXPORT int dup(int fd) {
  int to = SEA_REAL(dup)(fd);
  if (to >= 0) set_mark(to, marked(fd));
  return to;
}

SEA_EXPORT int dup2(int fd, int to) {
  int r = SEA_REAL(dup2)(fd, to);
  if (r >= 0 && fd != to) set_mark(r, marked(fd));
  return r;
}

SEA_EXPORT int dup3(int fd, int to, int flags) {
  int r = SEA_REAL(dup3)(fd, to, flags);
  if (r >= 0) set_mark(r, marked(fd));
  return r;
}

/* The cookie of a PRNG stream: the real stream (fopen) or fd (fdopen) it stands for. */
struct prng_stream {
  FILE* real;
  int fd;
};

static ssize_t prng_stream_read(void* cookie, char* buf, size_t len) {
  (void)cookie;
  return sea_random_fill(buf, len) ? (ssize_t)len : -1;
}

static ssize_t prng_stream_write(void* cookie, const char* buf, size_t len) {
  const struct prng_stream* s = cookie;
  /* Writing to a random device mixes entropy into the kernel pool: let it. */
  return write(s->real ? fileno(s->real) : s->fd, buf, len);
}

static int prng_stream_close(void* cookie) {
  struct prng_stream* s = cookie;
  int r = s->real ? SEA_REAL(fclose)(s->real) : close(s->fd);
  free(s);
  return r;
}

/* A stream over S that reads the PRNG, or NULL (S is then left to the caller). */
static FILE* prng_stream(struct prng_stream s, const char* mode) {
  struct prng_stream* cookie = malloc(sizeof *cookie);
  if (!cookie) return NULL;
  *cookie = s;
  cookie_io_functions_t io = {.read = prng_stream_read, .write = prng_stream_write,
                              .close = prng_stream_close};
  FILE* f = fopencookie(cookie, mode, io);
  if (!f) free(cookie);
  return f;
}

static bool mode_reads(const char* mode) { return mode && (mode[0] == 'r' || strchr(mode, '+')); }

SEA_EXPORT FILE* fopen(const char* path, const char* mode) {
  FILE* f = SEA_REAL(fopen)(path, mode);
  if (!f || !sea_clock_page || !mode_reads(mode) || !is_random_device(fileno(f))) return f;
  FILE* p = prng_stream((struct prng_stream){.real = f, .fd = -1}, mode);
  return p ? p : f;
}
SEA_EXPORT FILE* fopen64(const char* path, const char* mode) { return fopen(path, mode); }

SEA_EXPORT FILE* fdopen(int fd, const char* mode) {
  if (!sea_clock_page || !mode_reads(mode) || !reads_prng(fd)) return SEA_REAL(fdopen)(fd, mode);
  FILE* p = prng_stream((struct prng_stream){.real = NULL, .fd = fd}, mode);
  return p ? p : SEA_REAL(fdopen)(fd, mode);
}

void sea_urandom_init(void) {
  SEA_REAL(open);
  SEA_REAL(openat);
  SEA_REAL(read);
  SEA_REAL(__read_chk);
  SEA_REAL(close);
  SEA_REAL(dup);
  SEA_REAL(dup2);
  SEA_REAL(dup3);
  SEA_REAL(fopen);
  SEA_REAL(fdopen);
  SEA_REAL(fclose);
}
